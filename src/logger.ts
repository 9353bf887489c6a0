/** The process-wide pino logger. Log ids and counts only, never personal data. */
import pino from 'pino';

export const logger = pino({
  level: process.env.LOG_LEVEL || (process.env.NODE_ENV === 'test' ? 'warn' : 'info'),
  base: { app: 'aduan' },
  redact: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token'],
});

export type Logger = typeof logger;
