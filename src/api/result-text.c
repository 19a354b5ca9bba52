#include "result-text.h"

#include <inttypes.h>
#include <string.h>

#include "api/result-json.h"
#include "basic/macros.h"
#include "basic/utf8.h"

/* Skipped files are listed one a line up to here; the JSON has them all. */
#define SKIPPED_LINES_MAX 10

typedef struct Buf {
        char s[32];
} Buf;

static const char *plural(uint64_t n, const char *one, const char *many)
{
        return n == 1 ? one : many;
}

/* "512 B", "64 KiB", "1.2 MiB": one decimal, dropped when it is 0. */
static Buf format_size(uint64_t bytes)
{
        static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        Buf b;
        size_t u = 0;
        uint64_t tenths;

        if (bytes < 1024) {
                snprintf(b.s, sizeof(b.s), "%" PRIu64 " B", bytes);
                return b;
        }
        for (;;) {
                u++;
                uint64_t unit = 1ULL << (10 * u);

                /* In two parts so that nothing overflows: unit is at most 2^60. */
                tenths = bytes / unit * 10 + (bytes % unit * 10 + unit / 2) / unit;
                /* Move up when the rounding reaches the next unit ("1024.0 KiB"). */
                if (tenths < 10240 || u == ELEMENTSOF(units) - 1)
                        break;
        }
        if (tenths % 10)
                snprintf(b.s, sizeof(b.s), "%" PRIu64 ".%" PRIu64 " %s", tenths / 10, tenths % 10,
                         units[u]);
        else
                snprintf(b.s, sizeof(b.s), "%" PRIu64 " %s", tenths / 10, units[u]);
        return b;
}

/* A limit as it was probably typed: "500 ms", "5 s", "2.5 s". */
static Buf format_ms(uint64_t ms)
{
        Buf b;

        if (ms < 1000)
                snprintf(b.s, sizeof(b.s), "%" PRIu64 " ms", ms);
        else if (ms % 1000 == 0)
                snprintf(b.s, sizeof(b.s), "%" PRIu64 " s", ms / 1000);
        else if (ms % 100 == 0)
                snprintf(b.s, sizeof(b.s), "%" PRIu64 ".%" PRIu64 " s", ms / 1000, ms % 1000 / 100);
        else
                snprintf(b.s, sizeof(b.s), "%" PRIu64 " ms", ms);
        return b;
}

static bool must_escape(uint32_t cp)
{
        return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||           /* C0, DEL, C1 */
               (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069); /* bidi */
}

/* Writes s so that it cannot end the line or reach the terminal as a control sequence. */
static void write_escaped(FILE *f, const char *s, size_t len)
{
        size_t i = 0;

        while (i < len) {
                uint32_t cp;
                int n = utf8_decode(s + i, len - i, &cp);

                if (n < 0) {
                        fprintf(f, "\\x%02x", (unsigned char)s[i]);
                        i++;
                } else if (cp == '\\') {
                        fputs("\\\\", f);
                        i++;
                } else if (must_escape(cp)) {
                        if (cp < 0x80)
                                fprintf(f, "\\x%02" PRIx32, cp);
                        else
                                fprintf(f, "\\u%04" PRIx32, cp);
                        i += (size_t)n;
                } else {
                        fwrite(s + i, 1, (size_t)n, f);
                        i += (size_t)n;
                }
        }
}

static void write_escaped_str(FILE *f, const char *s)
{
        write_escaped(f, s ? s : "", s ? strlen(s) : 0);
}

static void write_error_line(FILE *f, const AirlockError *e)
{
        char text[sizeof(e->step) + sizeof(e->message) + 128];

        airlock_error_format(e, text, sizeof(text));
        fputs("airlock: ", f);
        if (text[0])
                write_escaped_str(f, text);
        else
                fputs(e->kind == AIRLOCK_ERR_USAGE ? "invalid usage" : "setup failed", f);
        fputc('\n', f);
}

static void write_usage(FILE *f, const RunResult *r, bool wall, bool cpu)
{
        if (wall)
                fprintf(f, ", wall %" PRIu64 " ms", r->wall_ms);
        if (cpu)
                fprintf(f, ", cpu %" PRIu64 "+%" PRIu64 " ms", r->cpu_user_ms, r->cpu_sys_ms);
        fprintf(f, ", peak memory %s\n", format_size(r->memory_peak_bytes).s);
}

static void write_status_line(FILE *f, const RunResult *r)
{
        const AirlockLimits *l = &r->limits;
        char sigbuf[RESULT_SIGNAL_NAME_MAX];
        const char *signame;

        fprintf(f, "airlock: status %s", run_status_to_string(r->status));
        switch (r->status) {
        case RUN_OK:
        case RUN_EXIT_NONZERO:
                fprintf(f, ", exit %d", r->exit_code);
                write_usage(f, r, true, true);
                return;
        case RUN_SIGNALED:
                signame = result_signal_name(r->signal, sigbuf);
                fprintf(f, ", signal %d (%s)", r->signal, signame ? signame : "unknown");
                write_usage(f, r, true, true);
                return;
        case RUN_TIMEOUT:
                fprintf(f, " after %" PRIu64 " ms (limit %s)", r->wall_ms, format_ms(l->wall_ms).s);
                write_usage(f, r, false, true);
                return;
        case RUN_CPU_LIMIT:
                fprintf(f, " after %" PRIu64 "+%" PRIu64 " ms of cpu (limit %s)", r->cpu_user_ms,
                        r->cpu_sys_ms, format_ms(l->cpu_ms).s);
                write_usage(f, r, true, false);
                return;
        case RUN_MEMORY_LIMIT:
                fprintf(f, " (limit %s, %" PRIu64 " %s)", format_size(l->memory_bytes).s,
                        r->oom_kills, plural(r->oom_kills, "oom kill", "oom kills"));
                write_usage(f, r, true, true);
                return;
        case RUN_PIDS_LIMIT:
                fprintf(f, " (limit %" PRIu32 " %s, %" PRIu64 " %s refused)", l->pids,
                        plural(l->pids, "process", "processes"), r->pids_max_hits,
                        plural(r->pids_max_hits, "fork", "forks"));
                write_usage(f, r, true, true);
                return;
        case RUN_OUTPUT_LIMIT:
                /* Which stream, and where it was cut, follows on its own line. */
                write_usage(f, r, true, true);
                return;
        case RUN_PRESCREEN_BLOCKED: {
                size_t n = 0;

                for (size_t i = 0; i < r->n_prescreen; i++)
                        n += r->prescreen[i].n_findings;
                fprintf(f, ": nothing ran (%zu %s; airlock scan shows them)\n", n,
                        plural(n, "finding", "findings"));
                return;
        }
        case RUN_CANCELLED:
        case RUN_COMPILE_ERROR:
                write_usage(f, r, true, true);
                return;
        case RUN_POLICY_VIOLATION:
                /* The rule and its evidence follow on the alert lines. */
                fprintf(f, " (rule %s)", r->audit.violation.rule);
                write_usage(f, r, true, true);
                return;
        case RUN_SETUP_ERROR:
        case _RUN_STATUS_MAX:
                break;
        }
        fputc('\n', f);
}

/* Alerts of --audit, the violation first among them, then what the writer lost. */
static void write_audit(FILE *f, const RunResult *r)
{
        const AuditSummary *a = &r->audit;
        size_t listed = 0;

        for (size_t i = 0; i < a->n_alerts && listed < SKIPPED_LINES_MAX; i++, listed++) {
                const AuditAlert *al = &a->alerts[i];

                fprintf(f, "airlock: %s %s (%s): ",
                        al->action == AUDIT_ACTION_KILL ? "killed by rule" : "alert", al->rule,
                        audit_severity_to_string(al->severity));
                write_escaped_str(f, al->evidence);
                fputc('\n', f);
        }
        if (a->alerts_total > listed)
                fprintf(f, "airlock: %" PRIu64 " more %s (see the JSON result)\n",
                        a->alerts_total - listed,
                        plural(a->alerts_total - listed, "alert", "alerts"));
        if (a->dropped > 0)
                fprintf(f, "airlock: %" PRIu64 " audit %s dropped (the event writer fell behind)\n",
                        a->dropped, plural(a->dropped, "event", "events"));
        if (a->error[0]) {
                fputs("airlock: the audit supervisor failed, the run was killed: ", f);
                write_escaped_str(f, a->error);
                fputc('\n', f);
        }
}

static void write_truncation(FILE *f, const char *name, const CapturedOutput *out)
{
        if (!out->truncated)
                return;
        fprintf(f, "airlock: %s cut at %s", name, format_size(out->len).s);
        fprintf(f, " of %s written\n", format_size(out->total).s);
}

static void write_files(FILE *f, const RunResult *r)
{
        uint64_t copied = 0, skipped = 0, bytes = 0, listed = 0;

        for (size_t i = 0; i < r->n_files; i++) {
                if (r->files[i].skipped)
                        skipped++;
                else {
                        copied++;
                        bytes += r->files[i].size;
                }
        }
        if (copied > 0)
                fprintf(f, "airlock: collected %" PRIu64 " %s (%s)\n", copied,
                        plural(copied, "file", "files"), format_size(bytes).s);

        for (size_t i = 0; i < r->n_files && listed < SKIPPED_LINES_MAX; i++) {
                if (!r->files[i].skipped)
                        continue;
                fputs("airlock: not collected: ", f);
                write_escaped_str(f, r->files[i].path);
                fputs(" (", f);
                write_escaped_str(f, r->files[i].skipped);
                fputs(")\n", f);
                listed++;
        }
        if (skipped > listed)
                fprintf(f, "airlock: %" PRIu64 " more %s not collected (see the JSON result)\n",
                        skipped - listed, plural(skipped - listed, "file", "files"));
}

void result_write_text(const RunResult *r, FILE *f)
{
        /* Nothing ran: the error is the whole story, and scripts match on its one line. */
        if (r->status == RUN_SETUP_ERROR) {
                write_error_line(f, &r->error);
                return;
        }

        write_status_line(f, r);
        /* Trouble of airlock's own after the program started (reading the cgroup, say). */
        if (r->error.kind != AIRLOCK_ERR_NONE)
                write_error_line(f, &r->error);
        write_truncation(f, "stdout", &r->out);
        write_truncation(f, "stderr", &r->err);
        write_files(f, r);
        write_audit(f, r);
        /* A weaker mode is the caller's choice, but never a silent one. (An empty profile name
         * means no sandbox reported its layers: nothing to say.) */
        if (r->seccomp[0] && (strcmp(r->seccomp, "off") == 0 || r->landlock_abi == 0))
                fprintf(f, "airlock: weaker isolation, as asked:%s%s\n",
                        strcmp(r->seccomp, "off") == 0 ? " no seccomp filter" : "",
                        r->landlock_abi == 0 ? " no Landlock" : "");
}
