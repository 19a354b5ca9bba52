/* One entry point per subcommand; main.c only dispatches. Each returns airlock's exit code. */
#pragma once

int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_gc(int argc, char **argv);
int cmd_delegate(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_serve(int argc, char **argv);
