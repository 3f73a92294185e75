// SIGINT, SIGTERM and SIGHUP in the middle of lab work: `stop()` ends what is
// running and removes what was started, then the process exits 128+signal.
// (A script started in the background by a non-interactive shell has SIGINT
// ignored, so TERM and HUP count too.)
export function onInterrupt(stop) {
  const codes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  let stopping = false;
  for (const [signal, code] of Object.entries(codes)) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`lab: ${signal}: stopping what was started\n`);
      Promise.resolve()
        .then(stop)
        .catch((err) => process.stderr.write(`lab: cleanup: ${err.message}\n`))
        .finally(() => process.exit(code));
    });
  }
}

/** SIGTERM to a child's whole process group (it was spawned detached, as a group leader). */
export function stopGroup(child) {
  if (!child?.pid) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // gone
  }
}
