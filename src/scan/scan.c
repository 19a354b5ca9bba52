/* The scanner's core: a report per buffer, the registry over every language's rule table, and
 * the language guess. The matchers (scan-python.c, scan-shell.c) only ever call
 * scan_report_add(); everything that makes findings safe to print happens here. */
#include "scan.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "basic/macros.h"
#include "basic/utf8.h"

/* Linux reads at most this much of a #! line (BINPRM_BUF_SIZE since 5.1); so do we. */
#define SHEBANG_MAX 256

/* Marks a snippet or reason that was cut to fit its buffer: U+2026, three bytes. */
#define ELLIPSIS     "\xe2\x80\xa6"
#define ELLIPSIS_LEN 3

static const char *const language_names[_SCAN_LANG_MAX] = {
    [SCAN_LANG_AUTO] = "auto",
    [SCAN_LANG_PYTHON] = "python",
    [SCAN_LANG_SHELL] = "sh",
};

static const char *const severity_names[_SCAN_SEV_MAX] = {
    [SCAN_SEV_INFO] = "info", [SCAN_SEV_LOW] = "low",           [SCAN_SEV_MEDIUM] = "medium",
    [SCAN_SEV_HIGH] = "high", [SCAN_SEV_CRITICAL] = "critical",
};

const char *scan_language_to_string(ScanLanguage l)
{
        return l >= 0 && l < _SCAN_LANG_MAX ? language_names[l] : NULL;
}

int scan_language_from_string(const char *s, ScanLanguage *ret)
{
        /* The names users type; the first of each language is what we print. */
        static const struct {
                const char *name;
                ScanLanguage lang;
        } names[] = {
            {"auto", SCAN_LANG_AUTO}, {"python", SCAN_LANG_PYTHON}, {"py", SCAN_LANG_PYTHON},
            {"sh", SCAN_LANG_SHELL},  {"shell", SCAN_LANG_SHELL},   {"bash", SCAN_LANG_SHELL},
        };

        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strcasecmp(s, names[i].name) == 0) {
                        if (ret)
                                *ret = names[i].lang;
                        return 0;
                }
        return -EINVAL;
}

const char *scan_severity_to_string(ScanSeverity s)
{
        return s >= 0 && s < _SCAN_SEV_MAX ? severity_names[s] : NULL;
}

int scan_severity_from_string(const char *s, ScanSeverity *ret)
{
        if (!s)
                return -EINVAL;
        for (int i = 0; i < _SCAN_SEV_MAX; i++)
                if (strcasecmp(s, severity_names[i]) == 0) {
                        if (ret)
                                *ret = (ScanSeverity)i;
                        return 0;
                }
        return -EINVAL;
}

/* --- the rule registry ------------------------------------------------------------------- */

static const struct {
        const ScanRule *rules;
        const size_t *count;
} tables[] = {
    {scan_python_rules, &scan_python_rules_count},
    {scan_shell_rules, &scan_shell_rules_count},
};

static const ScanRule **registry;
static size_t registry_size;
static pthread_once_t registry_once = PTHREAD_ONCE_INIT;

static void registry_build(void)
{
        size_t n = 0, used = 0;

        for (size_t t = 0; t < ELEMENTSOF(tables); t++)
                n += *tables[t].count;
        /* Out of memory here leaves the list empty: listing is not on the scanning path. */
        registry = calloc(n + 1, sizeof(*registry));
        if (!registry)
                return;
        for (size_t t = 0; t < ELEMENTSOF(tables); t++)
                for (size_t i = 0; i < *tables[t].count; i++)
                        if (tables[t].rules[i].id) /* a {0} placeholder row is no rule */
                                registry[used++] = &tables[t].rules[i];
        registry_size = used;
}

const ScanRule *const *scan_all_rules(size_t *ret_n)
{
        pthread_once(&registry_once, registry_build);
        if (ret_n)
                *ret_n = registry_size;
        return registry;
}

const ScanRule *scan_rule_by_id(const char *id)
{
        if (!id)
                return NULL;
        for (size_t t = 0; t < ELEMENTSOF(tables); t++)
                for (size_t i = 0; i < *tables[t].count; i++)
                        if (tables[t].rules[i].id && strcmp(tables[t].rules[i].id, id) == 0)
                                return &tables[t].rules[i];
        return NULL;
}

/* --- the language guess ------------------------------------------------------------------ */

typedef struct Word {
        const char *s;
        size_t len;
} Word;

static bool word_is(Word w, const char *s)
{
        return w.len == strlen(s) && memcmp(w.s, s, w.len) == 0;
}

/* "python3.11" matches prefix "python": the prefix, then only digits and dots. */
static bool word_is_versioned(Word w, const char *prefix)
{
        size_t n = strlen(prefix);

        if (w.len < n || memcmp(w.s, prefix, n) != 0)
                return false;
        for (size_t i = n; i < w.len; i++)
                if ((w.s[i] < '0' || w.s[i] > '9') && w.s[i] != '.')
                        return false;
        return true;
}

static Word word_basename(Word w)
{
        const char *slash = memrchr(w.s, '/', w.len);

        if (!slash)
                return w;
        return (Word){slash + 1, w.len - (size_t)(slash + 1 - w.s)};
}

static ScanLanguage language_of_interpreter(Word name)
{
        static const char *const shells[] = {"sh", "bash", "dash", "ash", "ksh", "mksh", "zsh"};

        if (word_is_versioned(name, "python") || word_is_versioned(name, "pypy"))
                return SCAN_LANG_PYTHON;
        for (size_t i = 0; i < ELEMENTSOF(shells); i++)
                if (word_is(name, shells[i]))
                        return SCAN_LANG_SHELL;
        return SCAN_LANG_AUTO;
}

/* "#!/usr/bin/env -S python3 -u", "#! /bin/bash -e", "#!/bin/busybox sh". */
static ScanLanguage language_from_shebang(const char *data, size_t len)
{
        Word words[8];
        size_t n = 0, i = 2, end;
        const char *nl;

        if (len < 2 || data[0] != '#' || data[1] != '!')
                return SCAN_LANG_AUTO;
        end = MIN(len, (size_t)SHEBANG_MAX);
        nl = memchr(data, '\n', end);
        if (nl)
                end = (size_t)(nl - data);
        while (i < end && n < ELEMENTSOF(words)) {
                size_t start;

                while (i < end && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r'))
                        i++;
                start = i;
                while (i < end && data[i] != ' ' && data[i] != '\t' && data[i] != '\r')
                        i++;
                if (i > start)
                        words[n++] = (Word){data + start, i - start};
        }
        for (size_t w = 0; w < n; w++) {
                Word name = word_basename(words[w]);

                /* A launcher runs the next word: skip it, its options and env's NAME=VALUE. */
                if (w == 0 && (word_is(name, "env") || word_is(name, "busybox")))
                        continue;
                if (w > 0 && (words[w].s[0] == '-' || memchr(words[w].s, '=', words[w].len)))
                        continue;
                return language_of_interpreter(name);
        }
        return SCAN_LANG_AUTO;
}

static ScanLanguage language_from_path(const char *path)
{
        const char *base, *dot;

        if (!path)
                return SCAN_LANG_AUTO;
        base = strrchr(path, '/');
        base = base ? base + 1 : path;
        dot = strrchr(base, '.');
        if (!dot || dot == base) /* ".bash" alone is a hidden file's name, not an extension */
                return SCAN_LANG_AUTO;
        if (strcasecmp(dot, ".py") == 0)
                return SCAN_LANG_PYTHON;
        if (strcasecmp(dot, ".sh") == 0 || strcasecmp(dot, ".bash") == 0)
                return SCAN_LANG_SHELL;
        return SCAN_LANG_AUTO;
}

/* The #! line wins over the name: it is what the kernel follows when the file is executed, so
 * a shell script named x.py must not slip past as Python. */
ScanLanguage scan_language_guess(const char *path, const char *data, size_t len)
{
        ScanLanguage l = data ? language_from_shebang(data, len) : SCAN_LANG_AUTO;

        return l != SCAN_LANG_AUTO ? l : language_from_path(path);
}

/* --- findings ---------------------------------------------------------------------------- */

/* Code points that could end the line or drive a terminal: C0, DEL, C1, and the bidirectional
 * overrides and isolates of "Trojan Source" (CVE-2021-42574), which matter most in a snippet
 * of hostile code. */
static bool must_escape(uint32_t cp)
{
        return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
               (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* The three control characters source code is full of, as a reader expects them. */
static const char *named_escape(uint32_t cp)
{
        switch (cp) {
        case '\t':
                return "\\t";
        case '\n':
                return "\\n";
        case '\r':
                return "\\r";
        }
        return NULL;
}

static bool is_blank(char c)
{
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Copies s into dst (size >= ELLIPSIS_LEN + 1) as one line of valid UTF-8: what must_escape()
 * names becomes \t, \n, \r, \xNN or \uNNNN, an invalid byte becomes \xNN. Backslashes stay as
 * they are: a snippet is source code, full of them, and is shown, never parsed back. When it
 * does not fit it is cut between characters, never inside an escape, and ends in an ellipsis.
 * Leading and trailing blanks are dropped. */
static void escape_into(char *dst, size_t size, const char *s, size_t len)
{
        size_t i = 0, used = 0, safe = 0;

        _Static_assert(sizeof(((ScanFinding *)0)->snippet) > ELLIPSIS_LEN, "room for the ellipsis");

        while (len > 0 && is_blank(s[len - 1]))
                len--;
        while (i < len && is_blank(s[i]))
                i++;
        while (i < len) {
                char esc[8];
                const char *piece = s + i;
                uint32_t cp = 0;
                int n = utf8_decode(s + i, len - i, &cp);
                size_t piece_len;

                if (n < 0) {
                        snprintf(esc, sizeof(esc), "\\x%02x", (unsigned char)s[i]);
                        piece = esc;
                        n = 1;
                } else if (named_escape(cp)) {
                        piece = named_escape(cp);
                } else if (must_escape(cp)) {
                        snprintf(esc, sizeof(esc), cp < 0x80 ? "\\x%02x" : "\\u%04x", (unsigned)cp);
                        piece = esc;
                }
                piece_len = piece == s + i ? (size_t)n : strlen(piece);
                if (used + piece_len > size - 1) {
                        memcpy(dst + safe, ELLIPSIS, ELLIPSIS_LEN);
                        used = safe + ELLIPSIS_LEN;
                        break;
                }
                memcpy(dst + used, piece, piece_len);
                used += piece_len;
                if (used + ELLIPSIS_LEN <= size - 1)
                        safe = used;
                i += (size_t)n;
        }
        dst[used] = '\0';
}

/* The findings array has no capacity field: it grows to 16, then doubles at each power of two,
 * up to SCAN_MAX_FINDINGS. Only scan_report_add() changes n_findings, so this holds. */
static int findings_reserve(ScanReport *r)
{
        size_t n = r->n_findings, cap;
        ScanFinding *p;

        if (n != 0 && (n < 16 || (n & (n - 1)) != 0))
                return 0;
        cap = MIN(n == 0 ? 16 : n * 2, (size_t)SCAN_MAX_FINDINGS);
        if (cap <= n)
                return 0;
        p = reallocarray(r->findings, cap, sizeof(*p));
        if (!p)
                return -ENOMEM;
        r->findings = p;
        return 0;
}

int scan_report_add(ScanReport *r, const ScanRule *rule, uint32_t line, uint32_t column,
                    const char *snippet, size_t snippet_len, const char *reason_fmt, ...)
{
        char reason[512];
        ScanFinding *f;
        va_list ap;
        int k;

        /* Positions are 1-based: 0 is a matcher's bug, and SARIF would reject it. */
        if (!r || !rule || line == 0 || column == 0)
                return -EINVAL;
        if (r->n_findings >= SCAN_MAX_FINDINGS) {
                r->truncated = true;
                return 0;
        }
        k = findings_reserve(r);
        if (k < 0)
                return k;

        f = &r->findings[r->n_findings];
        *f = (ScanFinding){.rule = rule, .line = line, .column = column};
        escape_into(f->snippet, sizeof(f->snippet), snippet ? snippet : "",
                    snippet ? snippet_len : 0);
        if (reason_fmt) {
                va_start(ap, reason_fmt);
                k = vsnprintf(reason, sizeof(reason), reason_fmt, ap);
                va_end(ap);
                if (k < 0)
                        reason[0] = '\0';
        } else
                snprintf(reason, sizeof(reason), "%s", rule->description ? rule->description : "");
        escape_into(f->reason, sizeof(f->reason), reason, strlen(reason));
        r->n_findings++;
        return 0;
}

static int finding_compare(const void *a, const void *b)
{
        const ScanFinding *x = a, *y = b;
        int c;

        if (x->line != y->line)
                return x->line < y->line ? -1 : 1;
        if (x->column != y->column)
                return x->column < y->column ? -1 : 1;
        c = strcmp(x->rule->id ? x->rule->id : "", y->rule->id ? y->rule->id : "");
        if (c != 0)
                return c;
        return strcmp(x->snippet, y->snippet);
}

/* In source order, whatever order the matchers ran in, and each rule once per position: two
 * matchers (or one matcher twice) reporting the same thing is noise, not a second finding. */
static void report_sort(ScanReport *r)
{
        size_t kept = 0;

        if (r->n_findings < 2)
                return;
        qsort(r->findings, r->n_findings, sizeof(*r->findings), finding_compare);
        for (size_t i = 0; i < r->n_findings; i++) {
                const ScanFinding *prev = kept ? &r->findings[kept - 1] : NULL;

                if (prev && prev->rule == r->findings[i].rule &&
                    prev->line == r->findings[i].line && prev->column == r->findings[i].column)
                        continue;
                r->findings[kept++] = r->findings[i];
        }
        r->n_findings = kept;
}

int scan_buffer(const char *path, const char *data, size_t len, ScanLanguage lang, ScanReport *ret,
                AirlockError *err)
{
        _cleanup_(scan_report_done) ScanReport r = {};
        int k;

        if (!ret || (!data && len > 0) || lang < 0 || lang >= _SCAN_LANG_MAX)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, EINVAL, "scan", "bad arguments");
        if (len > SCAN_MAX_INPUT) {
                airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "",
                                  "%zu bytes, more than the %u MiB airlock scans in one file", len,
                                  SCAN_MAX_INPUT >> 20);
                return -EFBIG;
        }
        if (lang == SCAN_LANG_AUTO)
                lang = scan_language_guess(path, data, len);
        if (lang == SCAN_LANG_AUTO)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "",
                                         "cannot tell the language (no .py, .sh or .bash name, "
                                         "no python or shell #! line): use --lang");

        r.path = strdup(path ? path : "-");
        if (!r.path)
                return airlock_error_set(err, AIRLOCK_ERR_INTERNAL, ENOMEM, "scan", NULL);
        r.language = lang;
        data = data ? data : "";
        k = lang == SCAN_LANG_PYTHON ? scan_python(data, len, &r) : scan_shell(data, len, &r);
        if (k < 0)
                return airlock_error_set(err, AIRLOCK_ERR_INTERNAL, -k, "", "the %s scanner failed",
                                         language_names[lang]);
        report_sort(&r);

        *ret = r;
        r = (ScanReport){};
        return 0;
}

void scan_report_done(ScanReport *r)
{
        if (!r)
                return;
        free(r->path);
        free(r->findings);
        *r = (ScanReport){};
}

int scan_report_max_severity(const ScanReport *r)
{
        int max = -1;

        if (!r)
                return -1;
        for (size_t i = 0; i < r->n_findings; i++)
                if (r->findings[i].rule && (int)r->findings[i].rule->severity > max)
                        max = (int)r->findings[i].rule->severity;
        return max;
}
