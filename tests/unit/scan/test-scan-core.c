/* The scanner's core (scan.c): names, the language guess, findings made safe to print, the
 * report's bounds, and the registry's invariants over the real rule tables. The matchers are
 * tested in their own files; here findings come from fake rules. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/utf8.h"
#include "scan/scan.h"

static const ScanRule fake_high = {"TEST-HIGH-001", SCAN_LANG_PYTHON, SCAN_SEV_HIGH,
                                   "a fake high rule", "boom()"};
static const ScanRule fake_low = {"TEST-LOW-001", SCAN_LANG_SHELL, SCAN_SEV_LOW, "a fake low rule",
                                  "meh"};

static ScanReport report;

static void teardown(void)
{
        scan_report_done(&report);
}

TestSuite(scan_core, .fini = teardown);

/* --- names ------------------------------------------------------------------------------- */

Test(scan_core, severity_names_round_trip)
{
        for (int s = 0; s < _SCAN_SEV_MAX; s++) {
                ScanSeverity back = -1;

                cr_assert_not_null(scan_severity_to_string((ScanSeverity)s));
                cr_assert_eq(
                    scan_severity_from_string(scan_severity_to_string((ScanSeverity)s), &back), 0);
                cr_assert_eq(back, s);
        }
        cr_assert_str_eq(scan_severity_to_string(SCAN_SEV_CRITICAL), "critical");
        cr_assert_null(scan_severity_to_string(_SCAN_SEV_MAX));
        cr_assert_null(scan_severity_to_string((ScanSeverity)-1));
}

Test(scan_core, severity_from_string_rejects_junk_and_leaves_ret)
{
        ScanSeverity s = SCAN_SEV_LOW;

        cr_assert_eq(scan_severity_from_string("HIGH", &s), 0, "case does not matter");
        cr_assert_eq(s, SCAN_SEV_HIGH);
        s = SCAN_SEV_LOW;
        cr_assert_eq(scan_severity_from_string("severe", &s), -EINVAL);
        cr_assert_eq(scan_severity_from_string("", &s), -EINVAL);
        cr_assert_eq(scan_severity_from_string("high ", &s), -EINVAL);
        cr_assert_eq(scan_severity_from_string(NULL, &s), -EINVAL);
        cr_assert_eq(s, SCAN_SEV_LOW, "ret is written only on success");
}

Test(scan_core, language_names)
{
        static const struct {
                const char *name;
                ScanLanguage lang;
        } ok[] = {
            {"auto", SCAN_LANG_AUTO},     {"python", SCAN_LANG_PYTHON}, {"py", SCAN_LANG_PYTHON},
            {"sh", SCAN_LANG_SHELL},      {"shell", SCAN_LANG_SHELL},   {"bash", SCAN_LANG_SHELL},
            {"Python", SCAN_LANG_PYTHON},
        };
        ScanLanguage l;

        for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
                l = -1;
                cr_assert_eq(scan_language_from_string(ok[i].name, &l), 0, "%s", ok[i].name);
                cr_assert_eq(l, ok[i].lang, "%s", ok[i].name);
        }
        l = SCAN_LANG_SHELL;
        cr_assert_eq(scan_language_from_string("perl", &l), -EINVAL);
        cr_assert_eq(scan_language_from_string(NULL, &l), -EINVAL);
        cr_assert_eq(l, SCAN_LANG_SHELL);
        cr_assert_str_eq(scan_language_to_string(SCAN_LANG_PYTHON), "python");
        cr_assert_str_eq(scan_language_to_string(SCAN_LANG_SHELL), "sh");
        cr_assert_str_eq(scan_language_to_string(SCAN_LANG_AUTO), "auto");
        cr_assert_null(scan_language_to_string(_SCAN_LANG_MAX));
}

/* --- the language guess ------------------------------------------------------------------ */

Test(scan_core, language_guess)
{
        static const struct {
                const char *path, *data;
                ScanLanguage want;
        } cases[] = {
            {"a.py", "", SCAN_LANG_PYTHON},
            {"dir.sh/a.PY", "x = 1\n", SCAN_LANG_PYTHON},
            {"a.sh", "", SCAN_LANG_SHELL},
            {"/x/y/run.bash", "", SCAN_LANG_SHELL},
            {"-", "#!/usr/bin/python3\nprint(1)\n", SCAN_LANG_PYTHON},
            {"-", "#!/usr/bin/env python3.11\n", SCAN_LANG_PYTHON},
            {"-", "#! /usr/bin/env -S python3 -u\n", SCAN_LANG_PYTHON},
            {"-", "#!/usr/bin/env PYTHONPATH=/x python\n", SCAN_LANG_PYTHON},
            {"-", "#!/opt/pypy3/bin/pypy3\n", SCAN_LANG_PYTHON},
            {"tool", "#!/bin/sh\n", SCAN_LANG_SHELL},
            {"tool", "#!/bin/bash -e\r\n", SCAN_LANG_SHELL},
            {"tool", "#!/usr/bin/env bash", SCAN_LANG_SHELL}, /* no newline at all */
            {"tool", "#!/bin/busybox sh\n", SCAN_LANG_SHELL},
            {"tool", "#!/bin/dash\n", SCAN_LANG_SHELL},
            /* The #! line wins: it is what runs when the file is executed. */
            {"evil.py", "#!/bin/sh\nrm -rf /\n", SCAN_LANG_SHELL},
            {"evil.sh", "#!/usr/bin/python3\n", SCAN_LANG_PYTHON},
            /* An unknown interpreter says nothing; the name decides. */
            {"x.py", "#!/usr/bin/perl\n", SCAN_LANG_PYTHON},
            {"x", "#!/usr/bin/perl\n", SCAN_LANG_AUTO},
            {"x", "#!/usr/bin/pythonista\n", SCAN_LANG_AUTO},
            {"x", "#!\n", SCAN_LANG_AUTO},
            {"x", "#", SCAN_LANG_AUTO},
            {"x", " #!/bin/sh\n", SCAN_LANG_AUTO}, /* the kernel needs #! at byte 0 */
            {"x.txt", "print(1)\n", SCAN_LANG_AUTO},
            {".bash", "", SCAN_LANG_AUTO}, /* a hidden file's name, no extension */
            {"x.pyc", "", SCAN_LANG_AUTO},
            {"-", "", SCAN_LANG_AUTO},
            {NULL, "", SCAN_LANG_AUTO},
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                cr_assert_eq(
                    scan_language_guess(cases[i].path, cases[i].data, strlen(cases[i].data)),
                    cases[i].want, "case %zu: %s / %s", i, cases[i].path, cases[i].data);
        cr_assert_eq(scan_language_guess("a.py", NULL, 0), SCAN_LANG_PYTHON);
}

Test(scan_core, shebang_past_256_bytes_is_not_read)
{
        char buf[400];

        memset(buf, ' ', sizeof(buf));
        memcpy(buf, "#!", 2);
        memcpy(buf + 300, "python3\n", 8);
        cr_assert_eq(scan_language_guess("x", buf, sizeof(buf)), SCAN_LANG_AUTO);
        memcpy(buf + 200, "python3\n", 8);
        cr_assert_eq(scan_language_guess("x", buf, sizeof(buf)), SCAN_LANG_PYTHON);
}

/* --- findings ---------------------------------------------------------------------------- */

Test(scan_core, add_records_a_finding)
{
        cr_assert_eq(
            scan_report_add(&report, &fake_high, 3, 7, "boom(x)", 7, "boom with %d args", 1), 0);
        cr_assert_eq(report.n_findings, 1);
        cr_assert_eq(report.findings[0].rule, &fake_high);
        cr_assert_eq(report.findings[0].line, 3);
        cr_assert_eq(report.findings[0].column, 7);
        cr_assert_str_eq(report.findings[0].snippet, "boom(x)");
        cr_assert_str_eq(report.findings[0].reason, "boom with 1 args");
        cr_assert(!report.truncated);
}

Test(scan_core, add_takes_only_snippet_len_bytes)
{
        cr_assert_eq(scan_report_add(&report, &fake_high, 1, 1, "boom(x); more", 7, "r"), 0);
        cr_assert_str_eq(report.findings[0].snippet, "boom(x)");
}

Test(scan_core, add_without_reason_uses_description)
{
        cr_assert_eq(scan_report_add(&report, &fake_low, 1, 1, NULL, 0, NULL), 0);
        cr_assert_str_eq(report.findings[0].reason, "a fake low rule");
        cr_assert_str_eq(report.findings[0].snippet, "");
}

Test(scan_core, add_refuses_bad_arguments)
{
        cr_assert_eq(scan_report_add(NULL, &fake_high, 1, 1, "x", 1, "r"), -EINVAL);
        cr_assert_eq(scan_report_add(&report, NULL, 1, 1, "x", 1, "r"), -EINVAL);
        cr_assert_eq(scan_report_add(&report, &fake_high, 0, 1, "x", 1, "r"), -EINVAL);
        cr_assert_eq(scan_report_add(&report, &fake_high, 1, 0, "x", 1, "r"), -EINVAL);
        cr_assert_eq(report.n_findings, 0);
}

Test(scan_core, snippet_control_characters_are_escaped)
{
        static const char src[] = "a\tb\nc\x1b[31md\0e\x7f\r";

        cr_assert_eq(scan_report_add(&report, &fake_high, 1, 1, src, sizeof(src) - 1, "r"), 0);
        cr_assert_str_eq(report.findings[0].snippet, "a\\tb\\nc\\x1b[31md\\x00e\\x7f");
}

Test(scan_core, snippet_keeps_backslashes_and_unicode)
{
        static const char src[] = "print(\"\\n\", \"h\xc3\xa9\")";

        cr_assert_eq(scan_report_add(&report, &fake_high, 1, 1, src, strlen(src), "r"), 0);
        cr_assert_str_eq(report.findings[0].snippet, src);
}

Test(scan_core, snippet_invalid_utf8_and_bidi_are_escaped)
{
        /* "Trojan Source": U+202E RIGHT-TO-LEFT OVERRIDE, U+2066 LEFT-TO-RIGHT ISOLATE, C1 CSI. */
        static const char src[] = "x\xff\xc3y\xe2\x80\xae z\xe2\x81\xa6 \xc2\x9b";
        const char *s;

        cr_assert_eq(scan_report_add(&report, &fake_high, 1, 1, src, strlen(src), "r"), 0);
        s = report.findings[0].snippet;
        cr_assert_str_eq(s, "x\\xff\\xc3y\\u202e z\\u2066 \\u009b");
        cr_assert(utf8_is_valid(s, strlen(s)));
}

Test(scan_core, snippet_blanks_at_the_ends_are_dropped)
{
        static const char src[] = " \t  os.system(x)  \r\n";

        cr_assert_eq(scan_report_add(&report, &fake_high, 1, 1, src, strlen(src), "r"), 0);
        cr_assert_str_eq(report.findings[0].snippet, "os.system(x)");
}

Test(scan_core, long_snippet_is_cut_between_characters_with_an_ellipsis)
{
        char src[600];
        const char *s;
        size_t len;

        /* "é" (2 bytes) after one ASCII byte: a cut must not split it. */
        src[0] = 'a';
        for (size_t i = 1; i + 1 < sizeof(src); i += 2)
                memcpy(src + i, "\xc3\xa9", 2);
        cr_assert_eq(scan_report_add(&report, &fake_high, 1, 1, src, sizeof(src) - 1, "r"), 0);
        s = report.findings[0].snippet;
        len = strlen(s);
        cr_assert_lt(len, sizeof(report.findings[0].snippet));
        cr_assert_gt(len, sizeof(report.findings[0].snippet) - 8, "uses the room it has");
        cr_assert(utf8_is_valid(s, len));
        cr_assert_str_eq(s + len - 3, "\xe2\x80\xa6");
}

Test(scan_core, long_snippet_is_never_cut_inside_an_escape)
{
        char src[300];
        const char *s;
        size_t len;

        memset(src, '\x1b', sizeof(src));
        cr_assert_eq(scan_report_add(&report, &fake_high, 1, 1, src, sizeof(src), "r"), 0);
        s = report.findings[0].snippet;
        len = strlen(s);
        cr_assert_str_eq(s + len - 3, "\xe2\x80\xa6");
        cr_assert_eq((len - 3) % 4, 0, "whole \\x1b escapes only: %s", s);
}

Test(scan_core, reason_is_one_line_of_valid_utf8)
{
        const char *s;

        cr_assert_eq(scan_report_add(&report, &fake_high, 1, 1, "x", 1, "calls %s\n%s", "ev\xffil",
                                     "second line"),
                     0);
        s = report.findings[0].reason;
        cr_assert_str_eq(s, "calls ev\\xffil\\nsecond line");
}

Test(scan_core, long_reason_is_cut)
{
        char arg[1000];
        size_t len;

        memset(arg, 'r', sizeof(arg) - 1);
        arg[sizeof(arg) - 1] = '\0';
        cr_assert_eq(scan_report_add(&report, &fake_high, 1, 1, "x", 1, "%s", arg), 0);
        len = strlen(report.findings[0].reason);
        cr_assert_lt(len, sizeof(report.findings[0].reason));
        cr_assert_str_eq(report.findings[0].reason + len - 3, "\xe2\x80\xa6");
}

Test(scan_core, findings_past_the_limit_are_dropped_and_flagged)
{
        for (uint32_t i = 1; i <= SCAN_MAX_FINDINGS + 5; i++)
                cr_assert_eq(scan_report_add(&report, &fake_low, i, 1, "x", 1, "n %u", i), 0);
        cr_assert_eq(report.n_findings, SCAN_MAX_FINDINGS);
        cr_assert(report.truncated);
        cr_assert_eq(report.findings[SCAN_MAX_FINDINGS - 1].line, SCAN_MAX_FINDINGS);
        cr_assert_str_eq(report.findings[SCAN_MAX_FINDINGS - 1].reason, "n 1000");
}

Test(scan_core, max_severity)
{
        cr_assert_eq(scan_report_max_severity(&report), -1);
        cr_assert_eq(scan_report_max_severity(NULL), -1);
        scan_report_add(&report, &fake_low, 1, 1, "x", 1, "r");
        cr_assert_eq(scan_report_max_severity(&report), SCAN_SEV_LOW);
        scan_report_add(&report, &fake_high, 2, 1, "x", 1, "r");
        scan_report_add(&report, &fake_low, 3, 1, "x", 1, "r");
        cr_assert_eq(scan_report_max_severity(&report), SCAN_SEV_HIGH);
}

Test(scan_core, report_done_accepts_null_and_resets)
{
        scan_report_done(NULL);
        report.path = strdup("x.py");
        scan_report_add(&report, &fake_low, 1, 1, "x", 1, "r");
        scan_report_done(&report);
        cr_assert_null(report.path);
        cr_assert_null(report.findings);
        cr_assert_eq(report.n_findings, 0);
        scan_report_done(&report); /* twice is harmless */
}

/* --- scan_buffer ------------------------------------------------------------------------- */

Test(scan_core, buffer_of_unknown_language_is_a_usage_error)
{
        AirlockError err = {0};

        report.n_findings = 42; /* ret is written only on success */
        cr_assert_lt(scan_buffer("notes.txt", "hello\n", 6, SCAN_LANG_AUTO, &report, &err), 0);
        cr_assert_eq(err.kind, AIRLOCK_ERR_USAGE);
        cr_assert_not_null(strstr(err.message, "--lang"), "%s", err.message);
        cr_assert_eq(report.n_findings, 42);
        report.n_findings = 0;
}

Test(scan_core, buffer_over_the_limit_is_refused_unread)
{
        AirlockError err = {0};
        static const char one = 'x';

        /* data is never read: the size is checked first, so a short buffer is enough. */
        cr_assert_eq(
            scan_buffer("big.py", &one, SCAN_MAX_INPUT + 1, SCAN_LANG_PYTHON, &report, &err),
            -EFBIG);
        cr_assert_eq(err.kind, AIRLOCK_ERR_USAGE);
        cr_assert_null(report.path);
}

Test(scan_core, buffer_refuses_bad_arguments)
{
        AirlockError err = {0};

        cr_assert_lt(scan_buffer("a.py", NULL, 3, SCAN_LANG_PYTHON, &report, &err), 0);
        cr_assert_lt(scan_buffer("a.py", "x", 1, _SCAN_LANG_MAX, &report, NULL), 0);
        cr_assert_lt(scan_buffer("a.py", "x", 1, SCAN_LANG_PYTHON, NULL, NULL), 0);
}

Test(scan_core, buffer_fills_the_report)
{
        AirlockError err = {0};

        cr_assert_eq(scan_buffer("dir/tool", "#!/bin/sh\n", 10, SCAN_LANG_AUTO, &report, &err), 0);
        cr_assert_str_eq(report.path, "dir/tool");
        cr_assert_eq(report.language, SCAN_LANG_SHELL);
        scan_report_done(&report);

        cr_assert_eq(scan_buffer(NULL, NULL, 0, SCAN_LANG_PYTHON, &report, &err), 0);
        cr_assert_str_eq(report.path, "-");
        cr_assert_eq(report.language, SCAN_LANG_PYTHON);
        cr_assert_eq(report.n_findings, 0, "an empty file has nothing to find");
}

/* The tokenizers promise never to fail on any input; the core passes it through unchanged. */
Test(scan_core, buffer_of_garbage_scans_in_both_languages)
{
        static const char junk[] = "\xff\xfe\0\0\"'''\\\n\x1b(((( $( `\0 <<EOF\n\xc3";

        for (int l = SCAN_LANG_PYTHON; l < _SCAN_LANG_MAX; l++) {
                AirlockError err = {0};

                cr_assert_eq(
                    scan_buffer("junk", junk, sizeof(junk) - 1, (ScanLanguage)l, &report, &err), 0,
                    "%s: %s", scan_language_to_string((ScanLanguage)l), err.message);
                for (size_t i = 0; i < report.n_findings; i++)
                        cr_assert(utf8_is_valid(report.findings[i].snippet,
                                                strlen(report.findings[i].snippet)));
                scan_report_done(&report);
        }
}

/* --- the registry over the real tables --------------------------------------------------- */

Test(scan_core, registry_holds_every_rule_of_every_table)
{
        size_t n = 99, n2 = 0;
        const ScanRule *const *all = scan_all_rules(&n);

        cr_assert_not_null(all);
        cr_assert_eq(n, scan_python_rules_count + scan_shell_rules_count);
        cr_assert_eq(scan_all_rules(&n2), all, "built once");
        cr_assert_eq(n2, n);
        for (size_t i = 0; i < scan_python_rules_count; i++)
                cr_assert_eq(all[i], &scan_python_rules[i]);
        for (size_t i = 0; i < scan_shell_rules_count; i++)
                cr_assert_eq(all[scan_python_rules_count + i], &scan_shell_rules[i]);
}

Test(scan_core, every_rule_is_complete_and_unique)
{
        size_t n = 0;
        const ScanRule *const *all = scan_all_rules(&n);

        for (size_t i = 0; i < n; i++) {
                const ScanRule *r = all[i];
                const char *prefix = r->language == SCAN_LANG_PYTHON ? "PY-" : "SH-";

                cr_assert_not_null(r->id);
                cr_assert_eq(strncmp(r->id, prefix, 3), 0, "%s: ids start with %s", r->id, prefix);
                for (const char *p = r->id; *p; p++)
                        cr_assert(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", *p),
                                  "%s: ids are A-Z, 0-9 and '-'", r->id);
                cr_assert(r->language == SCAN_LANG_PYTHON || r->language == SCAN_LANG_SHELL, "%s",
                          r->id);
                cr_assert(r->severity >= 0 && r->severity < _SCAN_SEV_MAX, "%s", r->id);
                cr_assert(r->description && r->description[0], "%s: no description", r->id);
                cr_assert(!strchr(r->description, '\n'), "%s: description is one line", r->id);
                cr_assert(r->example && r->example[0], "%s: no example", r->id);
                cr_assert(!strchr(r->example, '\n'), "%s: example is one line", r->id);
                cr_assert(utf8_is_valid(r->description, strlen(r->description)), "%s", r->id);
                cr_assert(utf8_is_valid(r->example, strlen(r->example)), "%s", r->id);
                for (size_t j = 0; j < i; j++)
                        cr_assert_str_neq(all[j]->id, r->id, "duplicate rule id");
                cr_assert_eq(scan_rule_by_id(r->id), r);
        }
}

Test(scan_core, rule_by_id_unknown)
{
        cr_assert_null(scan_rule_by_id("PY-NOPE-999"));
        cr_assert_null(scan_rule_by_id(""));
        cr_assert_null(scan_rule_by_id(NULL));
}
