#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit-event.h"
#include "basic/parse.h"
#include "config/limits.h"
#include "run-options.h"
#include "scan/scan.h"

enum {
        OPT_MEMORY = 0x100,
        OPT_TIME,
        OPT_CPU_TIME,
        OPT_CPUS,
        OPT_PIDS,
        OPT_OUTPUT,
        OPT_SCRATCH,
        OPT_TMP,
        OPT_NOFILE,
        OPT_FSIZE,
        OPT_COPY,
        OPT_RO_BIND,
        OPT_BIND,
        OPT_ROOTFS,
        OPT_COLLECT,
        OPT_OUT_DIR,
        OPT_COLLECT_MAX,
        OPT_STDIN,
        OPT_ENV,
        OPT_JSON,
        OPT_RESULT,
        OPT_UID_RANGE,
        OPT_CGROUP,
        OPT_CGROUP_ROOT,
        OPT_ALLOW_NO_LANDLOCK,
        OPT_SECCOMP,
        OPT_SECCOMP_LOG,
        OPT_LANDLOCK,
        OPT_ALLOW_NET,
        OPT_ALLOW_PRIVATE,
        OPT_NET_CONNS,
        OPT_NET_BYTES,
        OPT_PRESCREEN,
        OPT_AUDIT,
        OPT_EVENTS,
        OPT_RULES,
};

static const struct option options[] = {
    {"memory", required_argument, NULL, OPT_MEMORY},
    {"time", required_argument, NULL, OPT_TIME},
    {"cpu-time", required_argument, NULL, OPT_CPU_TIME},
    {"cpus", required_argument, NULL, OPT_CPUS},
    {"pids", required_argument, NULL, OPT_PIDS},
    {"output", required_argument, NULL, OPT_OUTPUT},
    {"scratch", required_argument, NULL, OPT_SCRATCH},
    {"tmp", required_argument, NULL, OPT_TMP},
    {"nofile", required_argument, NULL, OPT_NOFILE},
    {"fsize", required_argument, NULL, OPT_FSIZE},
    {"copy", required_argument, NULL, OPT_COPY},
    {"ro-bind", required_argument, NULL, OPT_RO_BIND},
    {"bind", required_argument, NULL, OPT_BIND},
    {"rootfs", required_argument, NULL, OPT_ROOTFS},
    {"collect", required_argument, NULL, OPT_COLLECT},
    {"out-dir", required_argument, NULL, OPT_OUT_DIR},
    {"collect-max", required_argument, NULL, OPT_COLLECT_MAX},
    {"stdin", required_argument, NULL, OPT_STDIN},
    {"env", required_argument, NULL, OPT_ENV},
    {"json", no_argument, NULL, OPT_JSON},
    {"result", required_argument, NULL, OPT_RESULT},
    {"uid-range", required_argument, NULL, OPT_UID_RANGE},
    {"cgroup", required_argument, NULL, OPT_CGROUP},
    {"cgroup-root", required_argument, NULL, OPT_CGROUP_ROOT},
    {"allow-no-landlock", no_argument, NULL, OPT_ALLOW_NO_LANDLOCK},
    {"seccomp", required_argument, NULL, OPT_SECCOMP},
    {"seccomp-log", no_argument, NULL, OPT_SECCOMP_LOG},
    {"landlock", required_argument, NULL, OPT_LANDLOCK},
    {"allow-net", required_argument, NULL, OPT_ALLOW_NET},
    {"allow-private", required_argument, NULL, OPT_ALLOW_PRIVATE},
    {"net-conns", required_argument, NULL, OPT_NET_CONNS},
    {"net-bytes", required_argument, NULL, OPT_NET_BYTES},
    {"prescreen", required_argument, NULL, OPT_PRESCREEN},
    {"audit", required_argument, NULL, OPT_AUDIT},
    {"events", required_argument, NULL, OPT_EVENTS},
    {"rules", required_argument, NULL, OPT_RULES},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {},
};

void run_options_usage(FILE *f)
{
        fputs("usage: airlock run [OPTIONS] -- CMD [ARGS...]\n"
              "\n"
              "Runs CMD in a fresh sandbox made for this run alone, then reports what happened.\n"
              "\n"
              "limits (each checked before anything starts):\n"
              "  --memory SIZE       memory, no swap (default 256M)\n"
              "  --time DURATION     wall-clock time (default 5s)\n"
              "  --cpu-time DURATION CPU time of the whole process tree (default 5s)\n"
              "  --cpus N            CPU cores, fractions allowed (default 1)\n"
              "  --pids N            processes and threads (default 64)\n"
              "  --output SIZE       stdout and stderr, each (default 1M)\n"
              "  --scratch SIZE      the /work scratch area (default 64M)\n"
              "  --tmp SIZE          /tmp and /dev/shm, each (default 64M)\n"
              "  --nofile N          open files per process (default 256)\n"
              "  --fsize SIZE        largest file a process may write (default 64M)\n"
              "files:\n"
              "  --copy HOST[:DEST]  copy a file or directory into /work (DEST relative to it)\n"
              "  --collect GLOB      after the run, copy matching files out of /work...\n"
              "  --out-dir DIR       ...into DIR (regular files only, never through symlinks)\n"
              "  --collect-max SIZE  cap per file and in total (default 64M)\n"
              "  --ro-bind SRC[:DST] show a host path read-only (only when asked)\n"
              "  --bind SRC[:DST]    show a host path writable (only when asked)\n"
              "  --rootfs DIR        take /usr, /bin, /lib* from DIR instead of the host\n"
              "  --stdin FILE|-      the program's stdin (default /dev/null)\n"
              "  --env NAME=VALUE    add to the clean environment\n"
              "network (none by default; only through airlock's egress gateway):\n"
              "  --allow-net HOST[:PORT][,...]  allow these names (*.example.org) or addresses;\n"
              "                      ports default to 80 and 443; HTTP(S)_PROXY and DNS point\n"
              "                      at the gateway, which records every attempt\n"
              "  --allow-private CIDR  let allowed names reach a private range (127.0.0.1/32)\n"
              "  --net-conns N       concurrent connections (default 16)\n"
              "  --net-bytes SIZE    bytes each way through the gateway (default 256M)\n"
              "pre-screening:\n"
              "  --prescreen MODE    off, warn or block[=SEVERITY]: scan the --copy sources\n"
              "                      (airlock scan) first; block refuses at or above SEVERITY\n"
              "                      (default high) and nothing runs (exit 119)\n"
              "audit (docs/EVENTS.md):\n"
              "  --audit LEVEL       off, alerts (default) or full: watch exec, connect, denied\n"
              "                      syscalls and credential canaries (full: every open too);\n"
              "                      alert rules may kill the run (exit 120)\n"
              "  --events FILE|-     write every event as a JSON line to FILE (- for stderr)\n"
              "  --rules FILE        alert rules instead of the built-in ones ('include default'\n"
              "                      in FILE keeps them)\n"
              "hardening:\n"
              "  --seccomp PROFILE   default, strict, a policy file (airlock policy show),\n"
              "                      or off (weaker: no filter at all)\n"
              "  --seccomp-log       also log denied syscalls to the kernel's audit log\n"
              "  --landlock on|off   off is weaker: the mount namespace alone holds the layout\n"
              "report:\n"
              "  --json              print the result as one JSON object on stdout\n"
              "  --result FILE       also write the JSON result to FILE\n"
              "  -q, --quiet         no text report when the program succeeds\n"
              "host:\n"
              "  --uid-range BASE:COUNT  host uids for sandboxes when run as root\n"
              "  --cgroup auto|v1|v2     cgroup hierarchy to use (default auto)\n"
              "  --allow-no-landlock     run even if the kernel has no Landlock (weaker)\n"
              "\n"
              "SIZE takes K, M, G (powers of 1024); DURATION takes ms, s, m, h (default s).\n"
              "Exit: the program's own code; 128+N if killed by signal N; 111 setup failed,\n"
              "112 bad arguments, 114 timeout, 115 cpu, 116 memory, 117 pids, 118 output limit,\n"
              "119 refused by --prescreen block, 120 killed by an --audit rule.\n",
              f);
}

void run_options_init(RunOptions *opts)
{
        *opts = (RunOptions){0};
        airlock_config_init(&opts->config);
}

void run_options_done(RunOptions *opts)
{
        airlock_config_done(&opts->config);
        free(opts->result_path);
        free(opts->events_path);
}

static int bad_value(AirlockError *err, const char *opt, const char *value, const char *what)
{
        return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, opt, "'%s': %s", value, what);
}

static int parse_size_opt(const char *opt, const char *v, uint64_t *ret, AirlockError *err)
{
        return parse_size(v, ret) < 0 ? bad_value(err, opt, v, "expected a size like 512K, 64M, 1G")
                                      : 0;
}

static int parse_duration_opt(const char *opt, const char *v, uint64_t *ret, AirlockError *err)
{
        return parse_duration_ms(v, ret) < 0
                   ? bad_value(err, opt, v, "expected a duration like 500ms, 2.5s, 1m")
                   : 0;
}

static int parse_count_opt(const char *opt, const char *v, uint32_t *ret, AirlockError *err)
{
        return parse_uint32(v, ret) < 0 ? bad_value(err, opt, v, "expected a whole number") : 0;
}

static int set_string(char **field, const char *opt, const char *v, AirlockError *err)
{
        if (*field)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, opt, "given twice");
        *field = strdup(v);
        return *field ? 0 : -ENOMEM;
}

static int parse_uid_range(const char *v, AirlockConfig *c, AirlockError *err)
{
        const char *colon = strchr(v, ':');
        char base[32];

        if (!colon || (size_t)(colon - v) >= sizeof(base))
                return bad_value(err, "--uid-range", v, "expected BASE:COUNT");
        memcpy(base, v, (size_t)(colon - v));
        base[colon - v] = '\0';
        if (parse_uint32(base, &c->uid_base) < 0 || parse_uint32(colon + 1, &c->uid_count) < 0)
                return bad_value(err, "--uid-range", v, "expected BASE:COUNT");
        return 0;
}

static int parse_cgroup_mode(const char *v, AirlockConfig *c, AirlockError *err)
{
        if (strcmp(v, "auto") == 0)
                c->cgroup_mode = AIRLOCK_CGROUP_AUTO;
        else if (strcmp(v, "v1") == 0)
                c->cgroup_mode = AIRLOCK_CGROUP_V1;
        else if (strcmp(v, "v2") == 0)
                c->cgroup_mode = AIRLOCK_CGROUP_V2;
        else
                return bad_value(err, "--cgroup", v, "expected auto, v1 or v2");
        return 0;
}

/* off | warn | block | block=SEVERITY */
static int parse_prescreen(const char *v, AirlockConfig *c, AirlockError *err)
{
        const char *eq = strchr(v, '=');
        ScanSeverity sev = SCAN_SEV_HIGH;

        if (strcmp(v, "off") == 0)
                c->prescreen_mode = AIRLOCK_PRESCREEN_OFF;
        else if (strcmp(v, "warn") == 0)
                c->prescreen_mode = AIRLOCK_PRESCREEN_WARN;
        else if (strncmp(v, "block", 5) == 0 && (v[5] == '\0' || v[5] == '=')) {
                if (eq && scan_severity_from_string(eq + 1, &sev) < 0)
                        return bad_value(err, "--prescreen", v,
                                         "severity is info, low, medium, high or critical");
                c->prescreen_mode = AIRLOCK_PRESCREEN_BLOCK;
                c->prescreen_severity = (unsigned)sev;
        } else
                return bad_value(err, "--prescreen", v, "expected off, warn or block[=SEVERITY]");
        return 0;
}

static int apply_option(int opt, const char *v, RunOptions *o, AirlockError *err)
{
        AirlockConfig *c = &o->config;
        AirlockLimits *l = &c->limits;

        switch (opt) {
        case OPT_MEMORY:
                return parse_size_opt("--memory", v, &l->memory_bytes, err);
        case OPT_TIME:
                return parse_duration_opt("--time", v, &l->wall_ms, err);
        case OPT_CPU_TIME:
                return parse_duration_opt("--cpu-time", v, &l->cpu_ms, err);
        case OPT_CPUS:
                return parse_cpus_milli(v, &l->cpu_milli) < 0
                           ? bad_value(err, "--cpus", v, "expected a number of cores like 0.5")
                           : 0;
        case OPT_PIDS:
                return parse_count_opt("--pids", v, &l->pids, err);
        case OPT_OUTPUT: {
                int r = parse_size_opt("--output", v, &l->stdout_bytes, err);

                l->stderr_bytes = l->stdout_bytes;
                return r;
        }
        case OPT_SCRATCH:
                return parse_size_opt("--scratch", v, &l->scratch_bytes, err);
        case OPT_TMP:
                return parse_size_opt("--tmp", v, &l->tmp_bytes, err);
        case OPT_NOFILE:
                return parse_count_opt("--nofile", v, &l->nofile, err);
        case OPT_FSIZE:
                return parse_size_opt("--fsize", v, &l->fsize_bytes, err);
        case OPT_COLLECT_MAX:
                return parse_size_opt("--collect-max", v, &l->collect_bytes, err);
        case OPT_COPY:
                return airlock_config_add_copy(c, v, err);
        case OPT_RO_BIND:
                return airlock_config_add_bind(c, v, false, err);
        case OPT_BIND:
                return airlock_config_add_bind(c, v, true, err);
        case OPT_COLLECT:
                return airlock_config_add_collect(c, v, err);
        case OPT_ENV:
                return airlock_config_add_env(c, v, err);
        case OPT_ROOTFS:
                return set_string(&c->rootfs, "--rootfs", v, err);
        case OPT_OUT_DIR:
                return set_string(&c->out_dir, "--out-dir", v, err);
        case OPT_STDIN:
                return set_string(&c->stdin_path, "--stdin", v, err);
        case OPT_RESULT:
                return set_string(&o->result_path, "--result", v, err);
        case OPT_CGROUP_ROOT:
                return set_string(&c->cgroup_root, "--cgroup-root", v, err);
        case OPT_UID_RANGE:
                return parse_uid_range(v, c, err);
        case OPT_CGROUP:
                return parse_cgroup_mode(v, c, err);
        case OPT_SECCOMP:
                return set_string(&c->seccomp_profile, "--seccomp", v, err);
        case OPT_PRESCREEN:
                return parse_prescreen(v, c, err);
        case OPT_AUDIT: {
                AuditLevel level;

                if (audit_level_from_string(v, &level) < 0)
                        return bad_value(err, "--audit", v, "expected off, alerts or full");
                c->audit_level = level;
                return 0;
        }
        case OPT_EVENTS:
                return set_string(&o->events_path, "--events", v, err);
        case OPT_RULES:
                return set_string(&c->rules_path, "--rules", v, err);
        case OPT_ALLOW_NET:
                return airlock_config_add_allow_net(c, v, err);
        case OPT_ALLOW_PRIVATE:
                return airlock_config_add_allow_private(c, v, err);
        case OPT_NET_CONNS:
                return parse_count_opt("--net-conns", v, &l->net_conns, err);
        case OPT_NET_BYTES:
                return parse_size_opt("--net-bytes", v, &l->net_bytes, err);
        case OPT_LANDLOCK:
                if (strcmp(v, "on") != 0 && strcmp(v, "off") != 0)
                        return bad_value(err, "--landlock", v, "expected on or off");
                c->landlock_off = strcmp(v, "off") == 0;
                return 0;
        case OPT_SECCOMP_LOG:
                c->seccomp_log = true;
                return 0;
        case OPT_ALLOW_NO_LANDLOCK:
                c->allow_no_landlock = true;
                return 0;
        case OPT_JSON:
                o->json = true;
                return 0;
        case 'q':
                o->quiet = true;
                return 0;
        case 'h':
                o->help = true;
                return 0;
        }
        return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "run", "unknown option");
}

/* getopt's verdict, with the option the user actually typed. */
static int option_error(int opt, const char *arg, AirlockError *err)
{
        if (opt == ':')
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "run",
                                         "option '%s' needs a value", arg);
        if (optopt >= 0x100)
                for (size_t i = 0; options[i].name; i++)
                        if (options[i].val == optopt)
                                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "run",
                                                         "option '--%s' takes no value",
                                                         options[i].name);
        if (optopt > 0 && optopt < 0x100)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "run",
                                         "unknown option '-%c' (see airlock run --help)", optopt);
        return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "run",
                                 "unknown option '%s' (see airlock run --help)", arg);
}

int run_options_parse(int argc, char **argv, RunOptions *o, AirlockError *err)
{
        int opt, r;

        optind = 0;
        opterr = 0;
        /* '+': stop at the first non-option, so CMD's own options are never ours.
         * ':': report a missing value apart from an unknown option. */
        while ((opt = getopt_long(argc, argv, "+:qh", options, NULL)) != -1) {
                if (opt == '?' || opt == ':')
                        return option_error(opt, argv[optind - 1], err);
                r = apply_option(opt, optarg, o, err);
                if (r < 0)
                        return r;
        }
        if (o->help)
                return 0;
        o->config.argv = argv + optind;
        return 0;
}
