import { readFileSync } from 'node:fs';

/**
 * CPU time of the calling process's main thread in ms, from /proc on Linux (10 ms ticks). Unlike wall
 * time it does not grow when other processes take the CPU. Undefined where /proc is not there.
 */
export function mainThreadCpuMs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the file, 12 and 13 after "pid (comm) ".
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/**
 * Microseconds that runnable tasks of the whole machine waited for a CPU (Linux pressure stall
 * information, "some" line). Its growth over a phase divided by the phase's length says how contended
 * the machine was: near 0 is a quiet machine, 0.5 means something waited half of the time.
 */
export function cpuStallUs(): number | undefined {
  try {
    const some = readFileSync('/proc/pressure/cpu', 'utf8')
      .split('\n')
      .find((line) => line.startsWith('some '));
    const total = some?.match(/total=(\d+)/)?.[1];
    return total === undefined ? undefined : Number(total);
  } catch {
    return undefined;
  }
}
