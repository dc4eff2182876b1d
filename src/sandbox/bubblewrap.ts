import { closeSync, constants, existsSync, lstatSync, openSync, readlinkSync, realpathSync } from "node:fs";
import { lchown, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { SandboxPolicyError, SandboxUnavailable } from "./errors.js";
import { SANDBOX_HOME, SANDBOX_WORKSPACE, commandEnvironment, workspaceRelative } from "./paths.js";
import { type ProcessSpec, runProcess, startProcess } from "./process.js";
import type { ExecOptions, ExecResult, Sandbox, SandboxProcess, SandboxStatus, SpawnOptions } from "./types.js";

/**
 * The bubblewrap backend. Each command gets fresh PID, IPC, UTS, mount, network, user and cgroup
 * namespaces; a root of its own (tmpfs) with the system directories read-only, the worktree
 * read-write at /repo and its `.git` pointer read-only (so the app's own git cannot be pointed
 * elsewhere), a private /tmp and HOME, no capabilities, an allow-listed environment, and
 * rlimits (processes, data memory, CPU time, no core files) set by prlimit before the command
 * starts. bwrap is started with the same small environment: the sandbox's PID 1 is bwrap's own
 * child, and its /proc/1/environ is whatever bwrap was started with.
 */

export interface BubblewrapSettings {
  bwrap: string;
  prlimit: string;
  network: "deny" | "allow";
  maxProcesses: number;
  memoryBytes: number;
  /** Host paths never shown, even when they lie under a mounted system directory (the app, DATA_DIR). */
  hidden: readonly string[];
}

/** The uid commands run as when the app is root: root is exempt from RLIMIT_NPROC. */
export const UNPRIVILEGED_ID = 65534;
const SYSTEM_DIRECTORIES = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];
/** What programs need from /etc: name service, certificates, the dynamic linker, alternatives. */
const ETC_ENTRIES = [
  "alternatives",
  "ca-certificates",
  "ca-certificates.conf",
  "ssl",
  "ld.so.cache",
  "ld.so.conf",
  "ld.so.conf.d",
  "localtime",
  "nsswitch.conf",
  "passwd",
  "group",
  "hosts",
  "host.conf",
  "gai.conf",
  "resolv.conf",
  "protocols",
  "services",
  "mime.types",
];
const BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Whether `target` is one of `dirs` or lies inside one. */
function isUnder(target: string, dirs: readonly string[]): boolean {
  return dirs.some((dir) => target === dir || target.startsWith(`${dir}/`));
}

/** The read-only part of the sandbox's file system, read off this host once. */
export function systemMounts(): { args: string[]; mounted: string[]; extraPath: string[] } {
  const args: string[] = [];
  const mounted: string[] = [];
  for (const dir of SYSTEM_DIRECTORIES) {
    const info = lstatSync(dir, { throwIfNoEntry: false });
    if (!info) continue;
    if (info.isSymbolicLink()) args.push("--symlink", readlinkSync(dir), dir);
    else if (info.isDirectory()) {
      args.push("--ro-bind", dir, dir);
      mounted.push(dir);
    }
  }
  for (const entry of ETC_ENTRIES) {
    const source = `/etc/${entry}`;
    if (existsSync(source)) {
      args.push("--ro-bind", source, source);
      mounted.push(source);
    }
  }
  // Node installed outside /usr (nvm, /opt/node): its prefix, so `node` and `npm` run inside.
  const extraPath: string[] = [];
  const prefix = path.dirname(path.dirname(realpathSync(process.execPath)));
  if (!isUnder(prefix, mounted)) {
    args.push("--ro-bind", prefix, prefix);
    mounted.push(prefix);
    extraPath.push(path.join(prefix, "bin"));
  }
  return { args, mounted, extraPath };
}

interface Plan {
  cwd: string;
  env: Record<string, string>;
  network: boolean;
  hasGitPointer: boolean;
  cpuSeconds: number;
}

export class BubblewrapSandbox implements Sandbox {
  readonly kind = "bubblewrap" as const;
  readonly owner: { uid: number; gid: number } | undefined;
  private readonly mounts: ReturnType<typeof systemMounts>;
  private readonly masks: string[];

  constructor(private readonly settings: BubblewrapSettings) {
    this.owner = process.getuid?.() === 0 ? { uid: UNPRIVILEGED_ID, gid: UNPRIVILEGED_ID } : undefined;
    this.mounts = systemMounts();
    this.masks = settings.hidden.map((p) => path.resolve(p)).filter((p) => isUnder(p, this.mounts.mounted) && existsSync(p));
  }

  describe(): SandboxStatus {
    return { kind: this.kind, status: "working", network: this.settings.network };
  }

  async adopt(workspace: string): Promise<void> {
    if (!this.owner) return;
    await assertReachable(workspace);
    await chownTree(workspace, this.owner);
  }

  /** bwrap's arguments for one command; exported through a method for tests of the layout. */
  arguments(argv: readonly string[], plan: Plan): string[] {
    const { settings } = this;
    const args = ["--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--hostname", "sandbox"];
    if (plan.network) args.push("--share-net");
    args.push(...this.mounts.args);
    for (const mask of this.masks) {
      if (lstatSync(mask, { throwIfNoEntry: false })?.isDirectory()) args.push("--tmpfs", mask);
      else args.push("--ro-bind", "/dev/null", mask);
    }
    args.push("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--dir", SANDBOX_HOME);
    args.push("--bind-fd", "3", SANDBOX_WORKSPACE);
    if (plan.hasGitPointer) args.push("--ro-bind-fd", "4", `${SANDBOX_WORKSPACE}/.git`);
    args.push("--chdir", path.posix.join(SANDBOX_WORKSPACE, plan.cwd), "--clearenv");
    for (const [name, value] of Object.entries(plan.env)) args.push("--setenv", name, value);
    args.push(
      "--",
      settings.prlimit,
      `--nproc=${settings.maxProcesses}`,
      `--data=${settings.memoryBytes}`,
      `--cpu=${plan.cpuSeconds}`,
      "--core=0",
      "--",
      ...argv,
    );
    return args;
  }

  async exec(argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
    const { spec, close } = this.prepare(argv, options, Math.ceil(options.timeoutMs / 1000) * 2 + 1);
    try {
      return await runProcess(spec, options);
    } finally {
      close();
    }
  }

  spawn(argv: readonly string[], options: SpawnOptions): SandboxProcess {
    const { spec, close } = this.prepare(argv, options, options.cpuSeconds ?? 3600);
    const child = startProcess(spec);
    void child.exited.finally(close);
    return child;
  }

  private prepare(argv: readonly string[], options: SpawnOptions, cpuSeconds: number): { spec: ProcessSpec; close: () => void } {
    if (argv.length === 0 || !argv[0]) throw new SandboxPolicyError("no command to run");
    if (options.network && this.settings.network !== "allow") {
      throw new SandboxPolicyError("This command asks for network access, and this server's sandbox policy denies it (SANDBOX_NETWORK=deny). Ask the operator, or run the command without network.");
    }
    const cwd = workspaceRelative(options.cwd);
    const env = commandEnvironment(
      { PATH: [...this.mounts.extraPath, BASE_PATH].join(":"), HOME: SANDBOX_HOME, LANG: "C.UTF-8", CI: "true", TMPDIR: "/tmp" },
      options.env,
    );
    // The worktree (and its .git pointer) go in as open descriptors: bwrap, running as the
    // unprivileged uid, need not be able to walk the host path to them.
    const workspaceFd = openSync(options.workspace, constants.O_RDONLY | constants.O_DIRECTORY);
    let gitFd: number | undefined;
    const pointer = lstatSync(path.join(options.workspace, ".git"), { throwIfNoEntry: false });
    if (pointer?.isFile()) gitFd = openSync(path.join(options.workspace, ".git"), constants.O_RDONLY | constants.O_NOFOLLOW);
    const close = () => {
      closeSync(workspaceFd);
      if (gitFd !== undefined) closeSync(gitFd);
    };
    const args = this.arguments(argv, { cwd, env, network: Boolean(options.network), hasGitPointer: gitFd !== undefined, cpuSeconds });
    // A .git directory (a plain clone, as the CLI may use) is hidden rather than bound.
    if (pointer?.isDirectory()) args.splice(args.indexOf("--chdir"), 0, "--tmpfs", `${SANDBOX_WORKSPACE}/.git`);
    return {
      spec: {
        file: this.settings.bwrap,
        args,
        cwd: "/",
        env: { PATH: BASE_PATH, LANG: "C.UTF-8" },
        ...(this.owner ? { uid: this.owner.uid, gid: this.owner.gid } : {}),
        fds: gitFd === undefined ? [workspaceFd] : [workspaceFd, gitFd],
      },
      close,
    };
  }
}

/**
 * bwrap resolves a bind's source path as the user it runs as, so every folder above the worktree
 * must let others pass (o+x). A folder that does not (a DATA_DIR under /root, say) is named.
 */
async function assertReachable(workspace: string): Promise<void> {
  for (let dir = path.dirname(path.resolve(workspace)); ; dir = path.dirname(dir)) {
    const info = await stat(dir);
    if ((info.mode & 0o001) === 0) {
      throw new SandboxUnavailable(
        `Commands cannot run: the sandbox runs as uid ${UNPRIVILEGED_ID} when the app runs as root, and it cannot reach the workspace through ${dir} (mode ${(info.mode & 0o777).toString(8)}). Let others pass through it (chmod o+x ${dir}), put DATA_DIR elsewhere, or run the app as a non-root user.`,
      );
    }
    if (dir === path.dirname(dir)) return;
  }
}

/** Hands a directory tree to `owner`, links included (never followed). */
export async function chownTree(dir: string, owner: { uid: number; gid: number }): Promise<void> {
  await lchown(dir, owner.uid, owner.gid);
  // Our own walk, into real directories only: Node 20's `readdir(…, { recursive: true })` follows
  // symbolic links to directories, and a repository's link to `/` would hand the machine's files
  // to the sandbox's uid.
  const pending = [dir];
  for (let where = pending.pop(); where !== undefined; where = pending.pop()) {
    const parent = where;
    const entries = await readdir(parent, { withFileTypes: true });
    for (let i = 0; i < entries.length; i += 256) {
      await Promise.all(entries.slice(i, i + 256).map((entry) => lchown(path.join(parent, entry.name), owner.uid, owner.gid)));
    }
    for (const entry of entries) if (entry.isDirectory()) pending.push(path.join(parent, entry.name));
  }
}
