/**
 * Throwaway mail servers for the e-mail tests: Debian's Dovecot (IMAP) and
 * Postfix (SMTP), each with its own configuration in a temporary folder and
 * listening on a free port of 127.0.0.1 only.
 *
 * Postfix accepts mail for the test domains only and delivers it with its
 * `virtual` agent straight into the Maildir folders that Dovecot serves, so
 * a message sent over SMTP can be read back over IMAP. Mail to any other
 * domain is rejected in the SMTP dialogue. Nothing is ever relayed.
 *
 * Dovecot runs as root with its own base_dir when the tests run as root,
 * and rootless (every service as the current user) otherwise. Postfix needs
 * root (its master process switches to the `postfix` user), so without root
 * only Dovecot starts and `postfixSkipReason` gives the reason.
 *
 *   const servers = await startMailServers([{ address: 'aduan@karanganyarkab.go.id', password: 'rahasia' }]);
 *   await servers.dovecot.append('aduan@karanganyarkab.go.id', rawMessage);
 *   …
 *   await servers.stop();
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, chmodSync, chownSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';
import type { ImapSettings } from '../../src/config.ts';

const execFileAsync = promisify(execFile);

export const DOVECOT_BINARY = '/usr/sbin/dovecot';
export const POSTFIX_BINARY = '/usr/sbin/postfix';
const HOST = '127.0.0.1';
/** Time a server gets to send its first greeting, in milliseconds. */
const START_TIMEOUT_MS = 30_000;
/** Time a server gets to exit after it was asked to stop, in milliseconds. */
const STOP_TIMEOUT_MS = 15_000;

export interface MailAccount {
  address: string;
  password: string;
}

export interface StoredMessage {
  uid: number;
  flags: Set<string>;
  source: Buffer;
}

export interface DovecotServer {
  readonly host: string;
  readonly port: number;
  readonly running: boolean;
  /** Starts Dovecot again after `stop`, on the same port and with the same mail. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Poller settings for one account, with a cleartext connection (loopback only). */
  settingsFor(address: string, overrides?: Partial<ImapSettings>): ImapSettings;
  /** IMAP APPEND of a raw message; returns its UID (Dovecot supports UIDPLUS). */
  append(address: string, raw: Buffer | string, mailbox?: string, flags?: string[]): Promise<number>;
  /** Every message of a folder with flags and source; an empty list when the folder does not exist. */
  listMessages(address: string, mailbox?: string): Promise<StoredMessage[]>;
  /** Deletes every message of a folder (a missing folder is fine). */
  clearMailbox(address: string, mailbox?: string): Promise<void>;
  /** Waits until a message of the folder satisfies `match`, and returns it. */
  waitForMessage(address: string, match: (source: string) => boolean, options?: { mailbox?: string; timeoutMs?: number }): Promise<StoredMessage>;
  /** Dovecot's log, for failure messages. */
  logText(): string;
}

export interface PostfixServer {
  readonly host: string;
  readonly port: number;
  /** SMTP_URL for the application and for nodemailer. */
  readonly smtpUrl: string;
  stop(): Promise<void>;
  /** Postfix's log (maillog_file), for failure messages. */
  logText(): string;
}

export interface MailServers {
  dovecot: DovecotServer;
  /** Undefined when Postfix could not run here; `postfixSkipReason` gives the reason. */
  postfix?: PostfixServer;
  postfixSkipReason?: string;
  /** Stops both servers and removes the temporary folder. */
  stop(): Promise<void>;
}

/** Why the e-mail server tests cannot run here, or undefined when Dovecot is installed. */
export function dovecotMissingReason(): string | undefined {
  if (existsSync(DOVECOT_BINARY)) return undefined;
  return `${DOVECOT_BINARY} is missing: install the Debian package dovecot-imapd (scripts/ci-setup.sh does) to run the IMAP tests`;
}

/** Why the SMTP tests cannot run here (no Postfix, or not root), or undefined when they can. */
export function postfixUnavailableReason(): string | undefined {
  if (!existsSync(POSTFIX_BINARY)) return `${POSTFIX_BINARY} is missing: install the Debian package postfix (scripts/ci-setup.sh does) to run the SMTP tests`;
  if (process.getuid?.() !== 0) return 'Postfix needs root: its master process starts as root and switches to the postfix user; run the tests as root for the SMTP cases';
  if (!findUser('postfix')) return 'the system user "postfix" is missing; reinstall the Debian package postfix';
  return undefined;
}

/**
 * Starts Dovecot and, when possible, Postfix for the given accounts. Every
 * account's domain becomes a Postfix virtual mailbox domain.
 *
 * @example
 *   const servers = await startMailServers([{ address: 'warga@contoh.id', password: 'sandi' }]);
 *   const smtpUrl = servers.postfix?.smtpUrl;
 */
export async function startMailServers(accounts: MailAccount[]): Promise<MailServers> {
  const missing = dovecotMissingReason();
  if (missing) throw new Error(missing);
  for (const account of accounts) {
    if (!/^[a-z0-9._-]+@[a-z0-9.-]+$/.test(account.address)) throw new Error(`test account address must be lowercase local@domain, got "${account.address}"`);
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aduan-mail-'));
  // Dovecot's and Postfix's service users must reach the files under it.
  chmodSync(dir, 0o755);
  const owner = mailOwner();
  const mailDir = path.join(dir, 'mail');
  const homeDir = path.join(dir, 'home');
  for (const folder of [mailDir, homeDir]) {
    mkdirSync(folder, { mode: 0o700 });
    if (owner.root) chownSync(folder, owner.uid, owner.gid);
  }

  const dovecot = new Dovecot(dir, accounts, owner, await freePort());
  let postfix: Postfix | undefined;
  let postfixSkipReason = postfixUnavailableReason();
  try {
    await dovecot.start();
    if (!postfixSkipReason) {
      postfix = new Postfix(dir, accounts, owner, await freePort());
      await postfix.start();
    }
  } catch (error) {
    await postfix?.stop().catch(() => {});
    await dovecot.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dovecot,
    postfix,
    postfixSkipReason,
    async stop() {
      await postfix?.stop();
      await dovecot.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface MailOwner {
  root: boolean;
  uid: number;
  gid: number;
  /** Login and group name of the current user, for a rootless Dovecot. */
  userName: string;
  groupName: string;
}

/** As root the mail belongs to `nobody`, because Postfix's virtual agent refuses uid 0; otherwise to the current user. */
function mailOwner(): MailOwner {
  const uid = process.getuid?.() ?? 0;
  if (uid === 0) {
    const nobody = findUser('nobody');
    if (!nobody) throw new Error('the system user "nobody" is missing; the mail test servers store mail as that user');
    return { root: true, uid: nobody.uid, gid: nobody.gid, userName: 'root', groupName: 'root' };
  }
  const gid = process.getgid?.() ?? uid;
  return { root: false, uid, gid, userName: os.userInfo().username, groupName: findGroupName(gid) ?? String(gid) };
}

function findGroupName(gid: number): string | undefined {
  const line = readFileSync('/etc/group', 'utf8').split('\n').find((entry) => entry.split(':')[2] === String(gid));
  return line?.split(':')[0];
}

function findUser(name: string): { uid: number; gid: number } | undefined {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((entry) => entry.startsWith(`${name}:`));
  if (!line) return undefined;
  const fields = line.split(':');
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

class Dovecot implements DovecotServer {
  readonly host = HOST;
  private process: ChildProcess | undefined;
  private readonly configFile: string;
  private readonly logFile: string;
  private readonly passwords = new Map<string, string>();

  constructor(private readonly dir: string, accounts: MailAccount[], owner: MailOwner, readonly port: number) {
    const base = path.join(dir, 'dovecot');
    mkdirSync(path.join(base, 'run'), { recursive: true });
    mkdirSync(path.join(base, 'state'), { recursive: true });
    this.configFile = path.join(base, 'dovecot.conf');
    this.logFile = path.join(base, 'dovecot.log');
    const usersFile = path.join(base, 'users');
    const lines = accounts.map((account) => {
      this.passwords.set(account.address, account.password);
      const [local, domain] = account.address.split('@');
      return `${account.address}:{PLAIN}${account.password}:${owner.uid}:${owner.gid}::${path.join(dir, 'home', domain, local)}`;
    });
    // Dovecot's auth process reads it as the dovecot user; the passwords exist only for this run.
    writeFileSync(usersFile, `${lines.join('\n')}\n`, { mode: 0o644 });
    writeFileSync(this.configFile, dovecotConfig({
      instanceName: `aduan-test-${path.basename(dir)}`,
      base,
      mailRoot: path.join(dir, 'mail'),
      usersFile,
      logFile: this.logFile,
      port,
      owner,
    }));
  }

  get running(): boolean {
    return this.process !== undefined && this.process.exitCode === null && this.process.signalCode === null;
  }

  async start(): Promise<void> {
    if (this.running) return;
    // -F keeps the master process in the foreground, so it is our child and stops with it.
    const child = spawn(DOVECOT_BINARY, ['-F', '-c', this.configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    this.process = child;
    try {
      await waitForGreeting(this.port, '* OK', child);
    } catch (error) {
      await stopChild(child);
      this.process = undefined;
      throw new Error(`Dovecot did not start: ${(error as Error).message}\n${output.join('')}\n${this.logText()}`);
    }
  }

  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (child) await stopChild(child);
  }

  settingsFor(address: string, overrides: Partial<ImapSettings> = {}): ImapSettings {
    return {
      host: this.host,
      port: this.port,
      user: address,
      password: this.password(address),
      tls: 'off',
      mailbox: 'INBOX',
      processedMailbox: 'Diproses',
      pollSeconds: 60,
      ...overrides,
    };
  }

  async append(address: string, raw: Buffer | string, mailbox = 'INBOX', flags: string[] = []): Promise<number> {
    return this.withClient(address, async (client) => {
      const response = await client.append(mailbox, typeof raw === 'string' ? Buffer.from(raw) : raw, flags);
      if (!response || response.uid === undefined) throw new Error('APPEND returned no UID; the test server should support UIDPLUS');
      return response.uid;
    });
  }

  async listMessages(address: string, mailbox = 'INBOX'): Promise<StoredMessage[]> {
    return this.withClient(address, async (client) => {
      const folders = await client.list();
      if (!folders.some((folder) => folder.path === mailbox)) return [];
      const lock = await client.getMailboxLock(mailbox, { readOnly: true });
      try {
        const messages: StoredMessage[] = [];
        if (client.mailbox && client.mailbox.exists === 0) return messages;
        for await (const message of client.fetch('1:*', { uid: true, flags: true, source: true })) {
          messages.push({ uid: message.uid, flags: message.flags ?? new Set(), source: message.source ?? Buffer.alloc(0) });
        }
        return messages;
      } finally {
        lock.release();
      }
    });
  }

  async clearMailbox(address: string, mailbox = 'INBOX'): Promise<void> {
    await this.withClient(address, async (client) => {
      const folders = await client.list();
      if (!folders.some((folder) => folder.path === mailbox)) return;
      const lock = await client.getMailboxLock(mailbox);
      try {
        if (client.mailbox && client.mailbox.exists > 0) await client.messageDelete('1:*');
      } finally {
        lock.release();
      }
    });
  }

  async waitForMessage(address: string, match: (source: string) => boolean, options: { mailbox?: string; timeoutMs?: number } = {}): Promise<StoredMessage> {
    const deadline = Date.now() + (options.timeoutMs ?? 20_000);
    for (;;) {
      const found = (await this.listMessages(address, options.mailbox)).find((message) => match(message.source.toString('latin1')));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching message reached ${options.mailbox ?? 'INBOX'} of the test account in time`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  logText(): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8') : '';
  }

  private password(address: string): string {
    const password = this.passwords.get(address);
    if (password === undefined) throw new Error(`no test account ${address}; pass it to startMailServers`);
    return password;
  }

  private async withClient<T>(address: string, run: (client: ImapFlow) => Promise<T>): Promise<T> {
    const client = new ImapFlow({
      host: this.host,
      port: this.port,
      secure: false,
      doSTARTTLS: false,
      auth: { user: address, pass: this.password(address) },
      logger: false,
      disableAutoIdle: true,
    });
    client.on('error', () => {});
    await client.connect();
    try {
      return await run(client);
    } finally {
      await client.logout().catch(() => client.close());
    }
  }
}

function dovecotConfig(options: {
  instanceName: string;
  base: string;
  mailRoot: string;
  usersFile: string;
  logFile: string;
  port: number;
  owner: MailOwner;
}): string {
  // A rootless Dovecot runs every service as the current user.
  const users = options.owner.root
    ? ''
    : [
      `default_login_user = ${options.owner.userName}`,
      `default_internal_user = ${options.owner.userName}`,
      `default_internal_group = ${options.owner.groupName}`,
      '',
    ].join('\n');
  // chroot needs root, so a rootless Dovecot runs its login and anvil services without it.
  // A closed anvil-auth-penalty socket turns the penalty for failed logins off.
  const chroot = options.owner.root ? '' : '  chroot =\n';
  return `# Throwaway Dovecot for the Aduan e-mail tests; IMAP on 127.0.0.1 only.
instance_name = ${options.instanceName}
base_dir = ${options.base}/run
state_dir = ${options.base}/state
log_path = ${options.logFile}
protocols = imap
listen = ${HOST}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# No delay or penalty after a failed login, so a wrong-password test does not slow the next ones.
auth_failure_delay = 0
first_valid_uid = ${Math.min(options.owner.uid, 100)}
${users}mail_location = maildir:${options.mailRoot}/%d/%n
namespace inbox {
  inbox = yes
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${options.usersFile}
}
userdb {
  driver = passwd-file
  args = username_format=%u ${options.usersFile}
}
service imap-login {
${chroot}  inet_listener imap {
    address = ${HOST}
    port = ${options.port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
${chroot}  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
`;
}

class Postfix implements PostfixServer {
  readonly host = HOST;
  private process: ChildProcess | undefined;
  private readonly configDir: string;
  private readonly logFile: string;

  constructor(dir: string, accounts: MailAccount[], owner: MailOwner, readonly port: number) {
    const base = path.join(dir, 'postfix');
    this.configDir = path.join(base, 'conf');
    const dataDir = path.join(base, 'data');
    mkdirSync(this.configDir, { recursive: true });
    mkdirSync(path.join(base, 'spool'), { recursive: true });
    mkdirSync(dataDir, { recursive: true });
    // The master process writes its lock and caches here as the mail owner.
    const postfixUser = findUser('postfix')!;
    chownSync(dataDir, postfixUser.uid, postfixUser.gid);
    this.logFile = path.join(base, 'postfix.log');

    const domains = [...new Set(accounts.map((account) => account.address.split('@')[1]))];
    const mailboxMap = accounts.map((account) => {
      const [local, domain] = account.address.split('@');
      // The trailing slash selects Maildir delivery, into the folder Dovecot serves as INBOX.
      return `${account.address} ${domain}/${local}/`;
    });
    writeFileSync(path.join(this.configDir, 'vmailbox'), `${mailboxMap.join('\n')}\n`);
    writeFileSync(path.join(this.configDir, 'main.cf'), postfixMainConfig({ base, domains, mailRoot: path.join(dir, 'mail'), owner }));
    writeFileSync(path.join(this.configDir, 'master.cf'), postfixMasterConfig(this.port));
  }

  get smtpUrl(): string {
    return `smtp://${this.host}:${this.port}`;
  }

  async start(): Promise<void> {
    // start-fg keeps the master process attached, so stopping it never needs a broad kill.
    const child = spawn(POSTFIX_BINARY, ['-c', this.configDir, 'start-fg'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    this.process = child;
    try {
      await waitForGreeting(this.port, '220 ', child);
    } catch (error) {
      await this.stop();
      throw new Error(`Postfix did not start: ${(error as Error).message}\n${output.join('')}\n${this.logText()}`);
    }
  }

  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    // "postfix stop" signals the master process named in the pid file of this instance only.
    await execFileAsync(POSTFIX_BINARY, ['-c', this.configDir, 'stop']).catch(() => {});
    // The child exits once its master process has; signal it only if that takes too long.
    if (!(await waitForExit(child, STOP_TIMEOUT_MS))) await stopChild(child);
  }

  logText(): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8') : '';
  }
}

function postfixMainConfig(options: { base: string; domains: string[]; mailRoot: string; owner: MailOwner }): string {
  return `# Throwaway Postfix for the Aduan e-mail tests: SMTP on 127.0.0.1 only,
# delivery only into the test Maildirs, no relaying, no DNS.
compatibility_level = 3.6
queue_directory = ${options.base}/spool
data_directory = ${options.base}/data
maillog_file = ${options.base}/postfix.log
maillog_file_prefixes = ${options.base}
myhostname = mail.aduan.test
mydomain = aduan.test
myorigin = $myhostname
inet_interfaces = ${HOST}
inet_protocols = ipv4
mydestination =
mynetworks = 127.0.0.0/8
relayhost =
alias_maps =
alias_database =
local_recipient_maps =
smtpd_peername_lookup = no
smtpd_banner = $myhostname ESMTP
# Mail to other domains is rejected during the SMTP dialogue.
smtpd_relay_restrictions = reject_unauth_destination
# Unknown users of a test domain are accepted and then bounced, so tests get a real delivery status notification.
smtpd_reject_unlisted_recipient = no
default_transport = error:the test mail server delivers only to its test domains
relay_transport = error:the test mail server delivers only to its test domains
virtual_mailbox_domains = ${options.domains.join(' ')}
virtual_mailbox_base = ${options.mailRoot}
virtual_mailbox_maps = texthash:${options.base}/conf/vmailbox
virtual_uid_maps = static:${options.owner.uid}
virtual_gid_maps = static:${options.owner.gid}
biff = no
`;
}

function postfixMasterConfig(port: number): string {
  // No chroot: the daemons read the configuration and Maildirs from the temporary folder.
  return `# service type private unpriv chroot wakeup maxproc command
${HOST}:${port} inet n - n - - smtpd
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
virtual   unix  - n n - - virtual
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
`;
}

/** Returns a port of 127.0.0.1 that was free a moment ago. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Connects until the server sends a greeting that starts with `prefix`, or the child exits, or the time is up. */
async function waitForGreeting(port: number, prefix: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the server process exited (code ${child.exitCode}, signal ${child.signalCode})`);
    const greeting = await readGreeting(port).catch(() => '');
    if (greeting.startsWith(prefix)) return;
    if (Date.now() > deadline) throw new Error(`no "${prefix.trim()}" greeting on ${HOST}:${port} within ${START_TIMEOUT_MS} ms (last: ${JSON.stringify(greeting.slice(0, 80))})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function readGreeting(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: HOST, port });
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(text);
    }, 2000);
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      // Dovecot may first send "* OK Waiting for authentication process" and then its real greeting.
      if (text.includes('\n') && !/Waiting for authentication/.test(text.split('\n').at(-2) ?? '')) {
        clearTimeout(timer);
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Resolves true when the child exits within `ms`, false otherwise. */
async function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Sends SIGTERM to a child we started, then SIGKILL after STOP_TIMEOUT_MS, and waits for it to exit. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
