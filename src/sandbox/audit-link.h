/* The parent's side of --audit: the rules and the session prepared before clone, the
 * supervisor started when the worker hands over its listener (sync #6), events handed to
 * SandboxHooks.on_event from the poll loop, and the summary in the result. */
#pragma once

#include "run-state.h"

/* Before clone: the rules (--rules), the session (run.start), and which syscalls the seccomp
 * filter hands over (s->seccomp_watch). Nothing when the level is off or seccomp is off. */
int audit_link_prepare(RunState *s, AirlockError *err);

/* sync #6: the worker's listener fd (taken); starts the supervisor thread. */
int audit_link_start(RunState *s, int listener_fd, AirlockError *err);

/* The fd that wakes the poll loop when events wait, or -EBADF. */
int audit_link_wake_fd(const RunState *s);

/* From the poll loop: hands waiting events to the hooks; a violation kills the run. */
void audit_link_pump(RunState *s);

/* After pid 1 is gone, before the status is decided: stops the supervisor and notes a
 * violation in the outcome. */
void audit_link_stop(RunState *s);

/* After the status is decided: limit.hit and run.end, the summary into the result. */
void audit_link_finish(RunState *s);

void audit_link_cleanup(RunState *s);
