/**
 * Killing a whole `pulumi` process tree at once, as a runner that is killed or runs out of memory does.
 *
 * The engine starts the language host and the dynamic provider in process groups of their own (the
 * provider's launcher is a shell script that starts `node`), so neither a signal to the `pulumi` process
 * nor one to its process group reaches them. The tree is read from `/proc` (Linux), frozen with SIGSTOP
 * so that nothing in it can start a new child or finish a request while it is being collected, and then
 * killed with SIGKILL, which gives no process a chance to clean up or save state.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The pids of `root` and of every process below it. */
export function processTree(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may contain spaces and parentheses.
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // The process ended while we looked.
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, ppid] of parentOf) {
      if (ppid === tree[i] && !tree.includes(pid)) tree.push(pid);
    }
  }
  return tree;
}

/**
 * The program of each process of {@link processTree}: the file name its command line starts with (e.g.
 * `pulumi-resource-stytch`), or `""` for one that ended meanwhile.
 */
export function programsOfTree(root: number): string[] {
  return processTree(root).map((pid) => {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "latin1");
      return path.basename(cmdline.split("\0")[0] ?? "");
    } catch {
      return "";
    }
  });
}

/** Freezes, then kills with SIGKILL, `root` and all its descendants; returns how many processes it killed. */
export function killProcessTree(root: number): number {
  let frozen: number[] = [];
  // Collect until nothing new appears: a process may have forked just before it was stopped.
  for (;;) {
    const tree = processTree(root).filter((pid) => !frozen.includes(pid));
    if (tree.length === 0) break;
    for (const pid of tree) signal(pid, "SIGSTOP");
    frozen = frozen.concat(tree);
  }
  for (const pid of frozen) signal(pid, "SIGKILL");
  return frozen.length;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}
