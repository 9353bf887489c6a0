/**
 * The `aduan` command. It reads DATA_DIR / DATABASE_URL like the server.
 * With PGlite, only one process may open a data folder: a command run while
 * the server runs stops with a message that says so.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { prepareDatabase } from '../bootstrap.ts';
import type { Database } from '../db/database.ts';
import { CommandError } from '../commands/errors.ts';
import { createApiToken, createUser } from '../commands/users.ts';
import { ROLES, type Role } from '../domain/types.ts';

const USAGE = `Usage: aduan <command> [options]

Commands:
  start                         start the server from the TypeScript sources, for development;
                                npm start runs the compiled server with smaller memory settings
  migrate                       apply database migrations and load reference data
  user add --email E --name N --role R [--agency CODE] [--password-stdin]
                                create a staff account; roles: ${ROLES.join(', ')}
                                without --password-stdin a password is generated and printed once
  token create --email E --label L
                                create an API token; the token is the last line printed
  import FILE --mapping MAPPING.json [--report FILE] [--dry-run]
                                import historical complaints from CSV or XLSX
  triage evaluate|crossval ...  evaluate the text classifier (see docs/triage.md)
  deadlines recompute           finish the deadline recomputes that calendar changes queued
                                (the background job does this when jobs run)
  attachments strip-metadata    remove image metadata from attachments stored before the
                                current removal (the background job does this when jobs run)

Environment: DATA_DIR (default ./data) or DATABASE_URL=postgres://...`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function withDatabase<T>(run: (database: Database) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await prepareDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    return await run(database);
  } finally {
    await database.close();
  }
}

async function userAdd(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      agency: { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
    },
  });
  if (!values.email || !values.name || !values.role) {
    console.error('user add needs --email, --name and --role.\n\n' + USAGE);
    return 2;
  }
  const password = values['password-stdin'] ? await readStdin() : undefined;
  return withDatabase(async ({ db }) => {
    const { user, generatedPassword } = await createUser(db, {
      email: values.email!,
      name: values.name!,
      role: values.role as Role,
      agencyCode: values.agency,
      password,
    });
    console.log(`Created user ${user.email} (id ${user.id}, role ${user.role}).`);
    if (generatedPassword) {
      console.log('Generated password (shown only now; store it safely):');
      console.log(generatedPassword);
    }
    return 0;
  });
}

async function tokenCreate(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { email: { type: 'string' }, label: { type: 'string' } } });
  if (!values.email || !values.label) {
    console.error('token create needs --email and --label.\n\n' + USAGE);
    return 2;
  }
  return withDatabase(async ({ db }) => {
    const token = await createApiToken(db, values.email!, values.label!);
    console.log(`API token for ${values.email} (label "${values.label}"); shown only now, send it as "Authorization: Bearer <token>":`);
    console.log(token);
    return 0;
  });
}

async function deadlinesRecompute(): Promise<number> {
  const { runPendingRecomputes } = await import('../commands/recompute-deadlines.ts');
  return withDatabase(async ({ db }) => {
    const finished = await runPendingRecomputes(db);
    console.log(finished === 0 ? 'No deadline recompute was waiting.' : `Finished ${finished} deadline recompute run(s).`);
    return 0;
  });
}

async function attachmentsStripMetadata(): Promise<number> {
  const { runMetadataPass } = await import('../commands/attachment-metadata.ts');
  return withDatabase(async ({ db }) => {
    const total = { checked: 0, changed: 0, unreadable: 0 };
    for (;;) {
      const result = await runMetadataPass(db);
      if (result.checked === 0) break;
      total.checked += result.checked;
      total.changed += result.changed;
      total.unreadable += result.unreadable;
    }
    if (total.checked === 0) console.log('No attachment was waiting for the metadata removal.');
    else {
      console.log(`Checked ${total.checked} attachment(s): ${total.changed} changed, ${total.unreadable} unreadable and kept as stored.`);
    }
    return 0;
  });
}

async function main(argv: string[]): Promise<number> {
  const [command, sub, ...rest] = argv;
  switch (command) {
    case 'start':
      await import('../main.ts');
      return -1;
    case 'migrate':
      return withDatabase(async () => {
        console.log('Database is migrated and has its reference data.');
        return 0;
      });
    case 'user':
      if (sub === 'add') return userAdd(rest);
      break;
    case 'token':
      if (sub === 'create') return tokenCreate(rest);
      break;
    case 'import': {
      const { runImportCli } = await import('./import.ts');
      return runImportCli(argv.slice(1), withDatabase);
    }
    case 'deadlines':
      if (sub === 'recompute') return deadlinesRecompute();
      break;
    case 'attachments':
      if (sub === 'strip-metadata') return attachmentsStripMetadata();
      break;
    case 'triage': {
      const { runTriageCli } = await import('./triage.ts');
      return runTriageCli(argv.slice(1));
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
  }
  console.error(`Unknown command "${argv.join(' ')}".\n\n${USAGE}`);
  return 2;
}

function isArgumentError(error: unknown): error is Error {
  const code = (error as { code?: string } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

try {
  const argv = process.argv.slice(2);
  const code = argv.includes('--help') || argv.includes('-h') ? await main(['help']) : await main(argv);
  if (code >= 0) process.exitCode = code;
} catch (error) {
  if (error instanceof CommandError || (error instanceof Error && error.name === 'DataDirLockedError')) {
    console.error(`Error: ${error.message}`);
    process.exitCode = 1;
  } else if (isArgumentError(error)) {
    console.error(`Error: ${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else {
    throw error;
  }
}
