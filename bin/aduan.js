#!/usr/bin/env node
// Entry of the `aduan` command: runs the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/index.ts');
