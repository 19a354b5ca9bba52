/* airlock scan [OPTIONS] FILE...|-: static pre-screening of code before it runs (scan/scan.h),
 * and airlock scan --rules: the rules it applies. Every file is read and scanned before anything
 * is printed, so a bad argument or an unreadable file gives one error line and no report. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/scan-output.h"
#include "basic/macros.h"
#include "commands.h"
#include "sandbox/result.h"
#include "scan/scan.h"

/* `--fail-on SEV` found something at SEV or above. */
#define SCAN_EXIT_FINDINGS  1
#define SCAN_MAX_INPUT_TEXT "16 MiB" /* SCAN_MAX_INPUT, for messages */
_Static_assert(SCAN_MAX_INPUT == 16u << 20, "SCAN_MAX_INPUT_TEXT is out of date");

typedef enum ScanFormat {
        SCAN_FORMAT_TEXT,
        SCAN_FORMAT_JSON,
        SCAN_FORMAT_SARIF,
        SCAN_FORMAT_MARKDOWN,
} ScanFormat;

typedef struct ScanOptions {
        ScanLanguage lang;
        ScanFormat format;
        bool format_set;
        int fail_on; /* a ScanSeverity, or -1: never fail on findings */
        bool rules;
        bool help;
} ScanOptions;

enum {
        OPT_LANG = 0x100,
        OPT_JSON,
        OPT_SARIF,
        OPT_MARKDOWN,
        OPT_FAIL_ON,
        OPT_RULES,
};

static const struct option options[] = {
    {"lang", required_argument, NULL, OPT_LANG},
    {"json", no_argument, NULL, OPT_JSON},
    {"sarif", no_argument, NULL, OPT_SARIF},
    {"markdown", no_argument, NULL, OPT_MARKDOWN},
    {"fail-on", required_argument, NULL, OPT_FAIL_ON},
    {"rules", no_argument, NULL, OPT_RULES},
    {"help", no_argument, NULL, 'h'},
    {},
};

static void help(void)
{
        printf("usage: airlock scan [--lang python|sh|auto] [--json|--sarif] [--fail-on SEVERITY]\n"
               "                    FILE...|-\n"
               "       airlock scan --rules [--lang python|sh] [--json|--markdown]\n\n"
               "Looks for dangerous patterns in Python and shell code before it runs: one more\n"
               "layer, never the only one. A clean scan means nothing matched, not that the code\n"
               "is safe. '-' reads standard input. See docs/SCAN_RULES.md.\n\n"
               "  --lang LANG        python, sh or auto (default: from the #! line, then from\n"
               "                     the .py, .sh or .bash name)\n"
               "  --json             one JSON object instead of text\n"
               "  --sarif            a SARIF 2.1.0 log instead of text\n"
               "  --fail-on SEV      exit %d when a finding is SEV or worse (info, low, medium,\n"
               "                     high, critical); otherwise findings do not change the exit\n"
               "  --rules            list the rules instead of scanning (--markdown: as tables)\n"
               "  -h, --help         show this help\n\n"
               "Exits 0, %d as above, %d for bad arguments or a file it cannot read (or larger\n"
               "than %s), %d if it fails itself.\n",
               SCAN_EXIT_FINDINGS, SCAN_EXIT_FINDINGS, AIRLOCK_EXIT_USAGE, SCAN_MAX_INPUT_TEXT,
               AIRLOCK_EXIT_INTERNAL);
}

static void vfail(const char *path, const char *fmt, va_list ap) _printf_(2, 0);
static void vfail(const char *path, const char *fmt, va_list ap)
{
        fputs("airlock: scan: ", stderr);
        if (path) {
                scan_write_escaped(stderr, path, strlen(path));
                fputs(": ", stderr);
        }
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
}

/* Every error is one line, "airlock: scan: " first, with the path (escaped) when there is one.
 * Returns code, the exit code. */
static int fail(int code, const char *path, const char *fmt, ...) _printf_(3, 4);
static int fail(int code, const char *path, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vfail(path, fmt, ap);
        va_end(ap);
        return code;
}

static int usage_error(const char *fmt, ...) _printf_(1, 2);
static int usage_error(const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vfail(NULL, fmt, ap);
        va_end(ap);
        return AIRLOCK_EXIT_USAGE;
}

static int set_format(ScanOptions *o, ScanFormat format)
{
        if (o->format_set && o->format != format)
                return usage_error("--json, --sarif and --markdown exclude each other");
        o->format = format;
        o->format_set = true;
        return 0;
}

static int apply_option(int opt, const char *arg, ScanOptions *o)
{
        ScanSeverity sev;

        switch (opt) {
        case OPT_LANG:
                if (scan_language_from_string(arg, &o->lang) < 0)
                        return usage_error("unknown language '%s' (python, sh or auto)", arg);
                return 0;
        case OPT_JSON:
                return set_format(o, SCAN_FORMAT_JSON);
        case OPT_SARIF:
                return set_format(o, SCAN_FORMAT_SARIF);
        case OPT_MARKDOWN:
                return set_format(o, SCAN_FORMAT_MARKDOWN);
        case OPT_FAIL_ON:
                if (scan_severity_from_string(arg, &sev) < 0)
                        return usage_error("unknown severity '%s' (info, low, medium, high or "
                                           "critical)",
                                           arg);
                o->fail_on = (int)sev;
                return 0;
        case OPT_RULES:
                o->rules = true;
                return 0;
        case 'h':
                o->help = true;
                return 0;
        }
        return usage_error("unknown option");
}

static int option_error(int opt, const char *arg)
{
        if (opt == ':')
                return usage_error("option '%s' needs a value", arg);
        if (optopt >= 0x100)
                for (size_t i = 0; options[i].name; i++)
                        if (options[i].val == optopt)
                                return usage_error("option '--%s' takes no value", options[i].name);
        if (optopt > 0 && optopt < 0x100) {
                return usage_error("unknown option '-%c' (see airlock scan --help)", optopt);
        }
        return usage_error("unknown option '%s' (see airlock scan --help)", arg);
}

/* Returns 0, or the exit code of a usage error already reported. */
static int parse_options(int argc, char **argv, ScanOptions *o, int *ret_first_file)
{
        int opt, r;

        optind = 0;
        opterr = 0;
        /* ':' reports a missing value apart from an unknown option; files and options may mix. */
        while ((opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
                if (opt == '?' || opt == ':')
                        return option_error(opt, argv[optind - 1]);
                r = apply_option(opt, optarg, o);
                if (r != 0)
                        return r;
        }
        if (o->help)
                return 0;
        if (o->rules && optind < argc)
                return usage_error("--rules takes no file (got '%s')", argv[optind]);
        if (o->rules && (o->format == SCAN_FORMAT_SARIF || o->fail_on >= 0))
                return usage_error("--rules lists rules: --sarif and --fail-on need files");
        if (!o->rules && o->format == SCAN_FORMAT_MARKDOWN)
                return usage_error("--markdown goes with --rules");
        if (!o->rules && optind >= argc)
                return usage_error("no file to scan (use '-' for standard input)");
        *ret_first_file = optind;
        return 0;
}

static int list_rules(const ScanOptions *o)
{
        _cleanup_free_ const ScanRule **picked = NULL;
        size_t n = 0, n_picked = 0;
        const ScanRule *const *all = scan_all_rules(&n);
        int r;

        if (!all)
                return fail(AIRLOCK_EXIT_INTERNAL, NULL, "out of memory");
        picked = calloc(n + 1, sizeof(*picked));
        if (!picked)
                return fail(AIRLOCK_EXIT_INTERNAL, NULL, "out of memory");
        for (size_t i = 0; i < n; i++)
                if (o->lang == SCAN_LANG_AUTO || all[i]->language == o->lang)
                        picked[n_picked++] = all[i];

        if (o->format == SCAN_FORMAT_JSON)
                r = scan_write_rules_json(picked, n_picked, stdout);
        else if (o->format == SCAN_FORMAT_MARKDOWN)
                r = scan_write_rules_markdown(picked, n_picked, stdout);
        else
                r = scan_write_rules_text(picked, n_picked, stdout);
        if (r < 0)
                return fail(AIRLOCK_EXIT_INTERNAL, NULL, "writing the rules failed: %s",
                            strerror(-r));
        return 0;
}

/* Reads all of fd, refusing more than SCAN_MAX_INPUT bytes. 0, -EFBIG or -errno. */
static int read_all(int fd, char **ret, size_t *ret_len)
{
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 0;

        for (;;) {
                ssize_t k;

                if (len == cap) {
                        /* One byte past the limit tells "exactly the limit" from "more". */
                        size_t want = MIN(cap ? cap * 2 : 64 * 1024, (size_t)SCAN_MAX_INPUT + 1);
                        char *p;

                        if (want <= cap)
                                return -EFBIG;
                        p = realloc(buf, want);
                        if (!p)
                                return -ENOMEM;
                        buf = p;
                        cap = want;
                }
                k = read(fd, buf + len, cap - len);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return negative_errno();
                if (k == 0)
                        break;
                len += (size_t)k;
        }
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

/* 0 or -errno; -EFBIG past SCAN_MAX_INPUT, -EINVAL for what is not a regular file. */
static int read_input(const char *path, char **ret, size_t *ret_len)
{
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        if (strcmp(path, "-") == 0)
                return read_all(STDIN_FILENO, ret, ret_len);
        /* O_NONBLOCK: opening a FIFO must not hang; it is refused below like any non-file. */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        /* Refused before reading: a huge file costs nothing. read_all() still bounds a file
         * that grows meanwhile. */
        if ((uint64_t)st.st_size > SCAN_MAX_INPUT)
                return -EFBIG;
        return read_all(fd, ret, ret_len);
}

/* Returns 0, or the exit code of an error already reported. */
static int scan_one(const char *path, ScanLanguage lang, ScanReport *ret)
{
        _cleanup_free_ char *data = NULL;
        AirlockError err = {0};
        char line[sizeof(err.step) + sizeof(err.message) + 64];
        size_t len = 0;
        int r;

        r = read_input(path, &data, &len);
        if (r == -EFBIG)
                return fail(AIRLOCK_EXIT_USAGE, path, "larger than %s, the most airlock scans",
                            SCAN_MAX_INPUT_TEXT);
        if (r == -EINVAL)
                return fail(AIRLOCK_EXIT_USAGE, path, "not a regular file");
        if (r < 0)
                return fail(AIRLOCK_EXIT_USAGE, path, "%s", strerror(-r));

        if (scan_buffer(path, data, len, lang, ret, &err) >= 0)
                return 0;
        airlock_error_format(&err, line, sizeof(line));
        return fail(err.kind == AIRLOCK_ERR_USAGE ? AIRLOCK_EXIT_USAGE : AIRLOCK_EXIT_INTERNAL,
                    path, "%s", line);
}

static void reports_free(ScanReport *reports, size_t n)
{
        for (size_t i = 0; i < n; i++)
                scan_report_done(&reports[i]);
        free(reports);
}

/* The exit code once the reports are printed: SCAN_EXIT_FINDINGS when --fail-on matched. */
static int verdict(const ScanReport *reports, size_t n, int fail_on)
{
        if (fail_on < 0)
                return 0;
        for (size_t i = 0; i < n; i++)
                if (scan_report_max_severity(&reports[i]) >= fail_on)
                        return SCAN_EXIT_FINDINGS;
        return 0;
}

static int scan_files(char **files, size_t n, const ScanOptions *o)
{
        ScanReport *reports = calloc(n, sizeof(*reports));
        int r = 0;

        if (!reports)
                return fail(AIRLOCK_EXIT_INTERNAL, NULL, "out of memory");
        for (size_t i = 0; i < n && r == 0; i++)
                r = scan_one(files[i], o->lang, &reports[i]);
        if (r == 0) {
                if (o->format == SCAN_FORMAT_JSON)
                        r = scan_write_json(reports, n, stdout);
                else if (o->format == SCAN_FORMAT_SARIF)
                        r = scan_write_sarif(reports, n, stdout);
                else
                        r = scan_write_text(reports, n, stdout);
                r = r < 0 ? fail(AIRLOCK_EXIT_INTERNAL, NULL, "writing the report failed: %s",
                                 strerror(-r))
                          : verdict(reports, n, o->fail_on);
        }
        reports_free(reports, n);
        return r;
}

int cmd_scan(int argc, char **argv)
{
        ScanOptions o = {.lang = SCAN_LANG_AUTO, .format = SCAN_FORMAT_TEXT, .fail_on = -1};
        int first = 0, r;

        r = parse_options(argc, argv, &o, &first);
        if (r != 0)
                return r;
        if (o.help) {
                help();
                return 0;
        }
        if (o.rules)
                return list_rules(&o);
        return scan_files(argv + first, (size_t)(argc - first), &o);
}
