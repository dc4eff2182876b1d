import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

/**
 * The container files that let the bubblewrap sandbox run in Docker (docs/sandbox.md): the
 * image installs bwrap, docker-compose.yml grants it the least it needs, and the seccomp
 * profile allows the namespace calls while still blocking what no container needs.
 */

const root = fileURLToPath(new URL("../../", import.meta.url));
const read = (path: string): string => readFileSync(`${root}${path}`, "utf8");

interface Rule {
  names: string[];
  action: string;
  args?: unknown[];
  includes?: unknown;
  excludes?: unknown;
}
interface Profile {
  defaultAction: string;
  architectures?: string[];
  archMap?: unknown;
  syscalls: Rule[];
}

const profile = JSON.parse(read("docker/seccomp-sandbox.json")) as Profile;
const rulesFor = (name: string) => profile.syscalls.filter((rule) => rule.names.includes(name));
/** Allowed whatever its arguments: an unconditional allow rule (the default denies). */
const allowed = (name: string) => rulesFor(name).some((rule) => rule.action === "SCMP_ACT_ALLOW" && !rule.args?.length);
/** Allowed by no rule at all, not even for some arguments. */
const denied = (name: string) => !rulesFor(name).some((rule) => rule.action === "SCMP_ACT_ALLOW");

describe("docker/seccomp-sandbox.json", () => {
  it("denies by default and is flat, so Docker, Podman, containerd and CRI-O read it alike", () => {
    expect(profile.defaultAction).toBe("SCMP_ACT_ERRNO");
    expect(profile.archMap).toBeUndefined();
    expect(profile.architectures).toEqual(expect.arrayContaining(["SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64"]));
    for (const rule of profile.syscalls) {
      expect(rule, rule.names.join(",")).not.toHaveProperty("includes");
      expect(rule, rule.names.join(",")).not.toHaveProperty("excludes");
    }
  });

  it("allows the calls bwrap makes to build a sandbox, and what programs need besides", () => {
    const bwrap = ["clone", "clone3", "unshare", "mount", "umount2", "pivot_root", "sethostname", "prctl", "capset", "setresuid", "prlimit64"];
    const everyday = ["execve", "openat", "read", "write", "mmap", "wait4", "ptrace", "arch_prctl"];
    for (const name of [...bwrap, ...everyday]) expect(allowed(name), name).toBe(true);
    expect(rulesFor("socket").length).toBeGreaterThan(0);
  });

  it("blocks what a container never needs, and the new mount API bwrap does not use", () => {
    const blocked = [
      ...["kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot"],
      ...["swapon", "swapoff", "acct", "bpf", "perf_event_open", "userfaultfd", "iopl", "ioperm"],
      ...["keyctl", "add_key", "request_key", "open_by_handle_at", "lookup_dcookie", "quotactl", "syslog"],
      ...["settimeofday", "clock_settime", "io_uring_setup", "io_uring_enter", "setns"],
      ...["mount_setattr", "fsopen", "fsmount", "move_mount", "open_tree"],
    ];
    for (const name of blocked) expect(denied(name), name).toBe(true);
  });
});

describe("docker-compose.yml", () => {
  const compose = parse(read("docker-compose.yml")) as { services: Record<string, Record<string, unknown>> };

  it("gives the web process, which runs no commands, none of the sandbox's options", () => {
    const service = compose.services.app!;
    expect(service.security_opt).toEqual(["no-new-privileges:true"]);
    expect(service.cap_drop).toEqual(["ALL"]);
    expect(service.privileged).not.toBe(true);
  });

  it("gives the workers the sandbox's security options and nothing more", () => {
    const service = compose.services.worker!;
    const options = service.security_opt as string[];
    const seccomp = options.find((option) => option.startsWith("seccomp="));
    expect(seccomp).toBeDefined();
    expect(existsSync(`${root}${seccomp!.slice("seccomp=".length)}`)).toBe(true);
    expect(options).toEqual(expect.arrayContaining(["apparmor=unconfined", "systempaths=unconfined", "no-new-privileges:true"]));
    expect(options).not.toContain("seccomp=unconfined");
    expect(service.privileged).not.toBe(true);
    expect(service.cap_add).toBeUndefined();
    expect(service.cap_drop).toEqual(["ALL"]);
  });
});

describe("Dockerfile", () => {
  it("installs bubblewrap in the final image", () => {
    const final = read("Dockerfile").split(/^FROM /m).at(-1)!;
    expect(final).toMatch(/apt-get install[^\n]*(\\\n[^\n]*)*\bbubblewrap\b/);
  });
});
