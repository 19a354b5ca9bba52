/* The Python tokenizer and matcher on arbitrary bytes. Invariants: tokens stay inside the input
 * and in order; their line and column agree with an independent count of line breaks; between
 * two tokens there is only blank space; INDENT/DEDENT and f-string starts/ends balance; there are
 * at most two tokens per byte (so the tokenizer cannot loop); string and name values stay within
 * their buffers; and the whole scan gives findings at positions inside the input. */
#include <stdio.h>

#include "basic/macros.h"
#include "fuzz-util.h"
#include "scan/py-tokenize.h"
#include "scan/scan.h"

static bool is_gap_byte(char c)
{
        return c == ' ' || c == '\t' || c == '\f' || c == '\\' || c == '\r' || c == '\n';
}

static void check_tokens(const char *s, size_t size)
{
        size_t n = 0, pos = 0, line_start = 0, prev_start = 0, prev_end = 0;
        uint32_t line = 1;
        long indent = 0, fstrings = 0;
        PyTokenizer t;
        PyToken tok;
        char buf[256];

        py_tokenizer_init(&t, s, size);
        if (size >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
                pos = line_start = prev_end = 3;
        while (py_tokenizer_next(&t, &tok)) {
                size_t start = tok.start, end = (size_t)tok.start + tok.len;

                FUZZ_ASSERT(++n <= 2 * size + 4);
                FUZZ_ASSERT(end <= size);
                FUZZ_ASSERT(start >= prev_start);
                FUZZ_ASSERT(tok.type < _PY_TOK_MAX);
                /* only blanks between tokens */
                for (size_t i = prev_end; i < start; i++)
                        FUZZ_ASSERT(is_gap_byte(s[i]));
                /* an independent count of "\n", "\r\n" and lone "\r" */
                for (; pos < start; pos++)
                        if (s[pos] == '\n' ||
                            (s[pos] == '\r' && !(pos + 1 < size && s[pos + 1] == '\n'))) {
                                line++;
                                line_start = pos + 1;
                        }
                FUZZ_ASSERT(tok.line == line);
                FUZZ_ASSERT(tok.col == start - line_start + 1);

                indent += tok.type == PY_TOK_INDENT;
                indent -= tok.type == PY_TOK_DEDENT;
                fstrings += tok.type == PY_TOK_FSTRING_START;
                fstrings -= tok.type == PY_TOK_FSTRING_END;
                FUZZ_ASSERT(indent >= 0 && indent <= PY_TOKENIZE_MAX_INDENT);
                FUZZ_ASSERT(fstrings >= 0);
                FUZZ_ASSERT((tok.fdepth > 0) == ((tok.flags & PY_TOKF_FSTRING) != 0) ||
                            tok.type == PY_TOK_FSTRING_START || tok.type == PY_TOK_FSTRING_END ||
                            tok.type == PY_TOK_STRING);

                if (tok.type == PY_TOK_STRING || tok.type == PY_TOK_FSTRING_MIDDLE) {
                        size_t v = py_string_value(s, &tok, buf, sizeof(buf));

                        FUZZ_ASSERT(v <= tok.len); /* escapes only ever shrink */
                }
                if (tok.type == PY_TOK_NAME) {
                        int k = py_name_value(s, &tok, buf, sizeof(buf), NULL);

                        FUZZ_ASSERT(k < (int)sizeof(buf));
                        FUZZ_ASSERT(k < 0 || strlen(buf) == (size_t)k);
                }
                prev_start = start;
                prev_end = MAX(prev_end, end);
                if (tok.type == PY_TOK_ENDMARKER) {
                        FUZZ_ASSERT(start == size);
                        FUZZ_ASSERT(indent == 0 && fstrings == 0);
                }
        }
        FUZZ_ASSERT(n > 0);
        FUZZ_ASSERT(!py_tokenizer_next(&t, &tok));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *s = (const char *)data;
        ScanReport r = {};
        AirlockError err = {};
        uint32_t lines = 1;

        check_tokens(s, size);

        for (size_t i = 0; i < size; i++)
                lines += s[i] == '\n' || s[i] == '\r';
        FUZZ_ASSERT(scan_buffer("fuzz.py", size ? s : "", size, SCAN_LANG_PYTHON, &r, &err) == 0);
        for (size_t i = 0; i < r.n_findings; i++) {
                FUZZ_ASSERT(r.findings[i].rule);
                FUZZ_ASSERT(r.findings[i].line >= 1 && r.findings[i].line <= lines);
                FUZZ_ASSERT(r.findings[i].column >= 1 && r.findings[i].column <= size + 1);
        }
        scan_report_done(&r);
        return 0;
}
