/* Python tokenizer: see py-tokenize.h. Every loop moves pos forward or pops a frame, so each
 * call ends; every read checks its index against the end of the input or of the f-string. */
#include "py-tokenize.h"

#include <string.h>

#include "basic/utf8.h"

enum {
        FRAME_TEXT = 1, /* literal text of an f-string, up to its closing quote */
        FRAME_EXPR,     /* inside {...}: ordinary tokens */
        FRAME_SPEC,     /* after the ':' of a field: literal text up to '}' */
};

static bool is_newline(char c)
{
        return c == '\n' || c == '\r';
}

static bool is_name_start(unsigned char c)
{
        /* Bytes >= 0x80 are taken as identifier characters: Python allows Unicode names, and
         * treating invalid UTF-8 the same way keeps the token stream simple. */
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool is_name_char(unsigned char c)
{
        return is_name_start(c) || (c >= '0' && c <= '9');
}

static bool is_digit(char c)
{
        return c >= '0' && c <= '9';
}

void py_tokenizer_init(PyTokenizer *t, const char *data, size_t len)
{
        memset(t, 0, sizeof(*t));
        t->data = data;
        t->len = (uint32_t)(len > PY_TOKENIZE_MAX_INPUT ? PY_TOKENIZE_MAX_INPUT : len);
        t->line = 1;
        t->at_line_start = true;
        t->n_indent = 1; /* indent[0] = 0: the module level */
        /* A UTF-8 byte order mark is not part of the source (Python skips it too). */
        if (t->len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
                t->pos = t->line_start = 3;
}

/* Moves to newpos, counting line breaks: "\n", "\r\n" and a lone "\r" each end a line, as in
 * Python's universal newlines. */
static void advance_to(PyTokenizer *t, uint32_t newpos)
{
        for (uint32_t i = t->pos; i < newpos; i++) {
                char c = t->data[i];

                if (c == '\n' || (c == '\r' && !(i + 1 < t->len && t->data[i + 1] == '\n'))) {
                        t->line++;
                        t->line_start = i + 1;
                }
        }
        t->pos = newpos;
}

/* Length of the line break at p (0 when there is none). */
static uint32_t newline_len(const PyTokenizer *t, uint32_t p, uint32_t lim)
{
        if (p >= lim)
                return 0;
        if (t->data[p] == '\r')
                return p + 1 < lim && t->data[p + 1] == '\n' ? 2 : 1;
        return t->data[p] == '\n';
}

static void emit(const PyTokenizer *t, PyToken *tok, PyTokenType type, uint32_t start, uint32_t len,
                 uint8_t flags)
{
        *tok = (PyToken){
            .start = start,
            .len = len,
            .line = t->line,
            .col = start - t->line_start + 1,
            .type = (uint8_t)type,
            .flags = flags,
        };
        for (uint32_t i = 0; i < t->n_frames; i++)
                if (t->frames[i].kind == FRAME_TEXT)
                        tok->fdepth++;
        if (tok->fdepth > 0)
                tok->flags |= PY_TOKF_FSTRING;
}

/* Where the input ends for ordinary tokens: the closing quote of the innermost f-string. */
static uint32_t limit(const PyTokenizer *t)
{
        for (uint32_t i = t->n_frames; i > 0; i--)
                if (t->frames[i - 1].kind == FRAME_TEXT)
                        return t->frames[i - 1].end;
        return t->len;
}

/* Flags of a string prefix of n bytes at p, or -1 when it is not one (r, u, b, f, rb, br, fr, rf
 * in any case). */
static int string_prefix(const char *p, uint32_t n)
{
        int flags = 0;

        if (n == 0 || n > 2)
                return -1;
        for (uint32_t i = 0; i < n; i++) {
                int f;

                switch (p[i] | 0x20) {
                case 'r':
                        f = PY_TOKF_RAW;
                        break;
                case 'b':
                        f = PY_TOKF_BYTES;
                        break;
                case 'f':
                        f = PY_TOKF_FSTRING;
                        break;
                case 'u':
                        f = 0x80; /* only alone */
                        break;
                default:
                        return -1;
                }
                if (flags & f)
                        return -1;
                flags |= f;
        }
        if ((flags & 0x80) && n != 1)
                return -1;
        if ((flags & PY_TOKF_BYTES) && (flags & PY_TOKF_FSTRING))
                return -1;
        return flags & ~0x80;
}

/* Finds the end of a string whose body starts at p. Sets *ret_close to the offset of the closing
 * quote (or where the string was cut) and returns the bytes of the closing quote: 1 or 3, or 0
 * when unterminated. A backslash always takes the next byte with it, raw or not: r"\"" is a
 * complete string. */
static uint32_t string_end(const PyTokenizer *t, uint32_t p, uint32_t lim, char q, bool triple,
                           uint32_t *ret_close)
{
        const char *d = t->data;

        while (p < lim) {
                char c = d[p];

                if (c == '\\') {
                        p++;
                        if (p < lim)
                                p += newline_len(t, p, lim) ? newline_len(t, p, lim) : 1;
                } else if (c == q) {
                        if (!triple) {
                                *ret_close = p;
                                return 1;
                        }
                        if (p + 2 < lim && d[p + 1] == q && d[p + 2] == q) {
                                *ret_close = p;
                                return 3;
                        }
                        p++;
                } else if (!triple && is_newline(c)) {
                        break;
                } else
                        p++;
        }
        *ret_close = p < lim ? p : lim;
        return 0;
}

/* A string literal at start whose prefix has plen bytes. */
static void lex_string(PyTokenizer *t, PyToken *tok, uint32_t start, uint32_t plen, int pflags,
                       uint32_t lim)
{
        uint32_t q = start + plen, body, close, close_len;
        char qc = t->data[q];
        bool triple = q + 2 < lim && t->data[q + 1] == qc && t->data[q + 2] == qc;
        uint8_t flags = (uint8_t)pflags | (triple ? PY_TOKF_TRIPLE : 0);

        body = q + (triple ? 3 : 1);
        close_len = string_end(t, body, lim, qc, triple, &close);
        if (close_len == 0)
                flags |= PY_TOKF_UNTERMINATED;

        /* An f-string pushes a frame for its text, plus room for a {field} and a format spec
         * with one more field in it; without that room it stays one opaque STRING. */
        if ((pflags & PY_TOKF_FSTRING) && t->n_frames + 4 <= PY_TOKENIZE_MAX_FRAMES) {
                emit(t, tok, PY_TOK_FSTRING_START, start, body - start, flags);
                t->frames[t->n_frames++] = (PyFrame){
                    .kind = FRAME_TEXT,
                    .flags = flags,
                    .close_len = (uint8_t)close_len,
                    .end = close,
                };
                advance_to(t, body);
                return;
        }
        emit(t, tok, PY_TOK_STRING, start, close + close_len - start, flags);
        advance_to(t, close + close_len);
}

static bool is_xdigit(char c)
{
        return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

static void lex_number(PyTokenizer *t, PyToken *tok, uint32_t lim)
{
        const char *d = t->data;
        uint32_t p = t->pos;

        if (d[p] == '0' && p + 1 < lim &&
            ((d[p + 1] | 0x20) == 'x' || (d[p + 1] | 0x20) == 'o' || (d[p + 1] | 0x20) == 'b')) {
                /* Hex, octal, binary: any hex digit is taken, Python checks the base. */
                p += 2;
                while (p < lim && (is_xdigit(d[p]) || d[p] == '_'))
                        p++;
        } else {
                while (p < lim && (is_digit(d[p]) || d[p] == '_'))
                        p++;
                if (p < lim && d[p] == '.') {
                        p++;
                        while (p < lim && (is_digit(d[p]) || d[p] == '_'))
                                p++;
                }
                if (p < lim && (d[p] | 0x20) == 'e') {
                        uint32_t e = p + 1;

                        if (e < lim && (d[e] == '+' || d[e] == '-'))
                                e++;
                        if (e < lim && is_digit(d[e])) {
                                p = e;
                                while (p < lim && (is_digit(d[p]) || d[p] == '_'))
                                        p++;
                        }
                }
                if (p < lim && (d[p] | 0x20) == 'j')
                        p++;
        }
        emit(t, tok, PY_TOK_NUMBER, t->pos, p - t->pos, 0);
        t->pos = p; /* no line break in a number */
}

/* Length of the operator at p (longest match), 0 when there is none. '!' alone is an
 * operator in 3.12 f-strings ("{x!r}"); it is kept as one everywhere. */
static uint32_t op_len(const char *p, uint32_t avail)
{
        char c0 = p[0], c1 = avail >= 2 ? p[1] : '\0', c2 = avail >= 3 ? p[2] : '\0';

        switch (c0) {
        case '*': /* * ** *= **= */
        case '/': /* / // /= //= */
        case '<': /* < << <= <<= <> */
        case '>': /* > >> >= >>= */
                if (c1 == c0)
                        return c2 == '=' ? 3 : 2;
                return c1 == '=' || (c0 == '<' && c1 == '>') ? 2 : 1;
        case '.':
                return c1 == '.' && c2 == '.' ? 3 : 1;
        case '-':
                return c1 == '=' || c1 == '>' ? 2 : 1;
        case ':':
        case '!':
        case '=':
        case '%':
        case '&':
        case '+':
        case '@':
        case '^':
        case '|':
                return c1 == '=' ? 2 : 1;
        case '(':
        case ')':
        case ',':
        case ';':
        case '[':
        case ']':
        case '{':
        case '}':
        case '~':
                return 1;
        }
        return 0;
}

/* Brackets open outside f-strings join lines; inside a {field} they decide where it ends. */
static void count_bracket(PyTokenizer *t, char c)
{
        int32_t *depth = t->n_frames > 0 ? &t->frames[t->n_frames - 1].depth : &t->paren;

        if (c == '(' || c == '[' || c == '{') {
                if (*depth < INT32_MAX)
                        (*depth)++;
        } else if ((c == ')' || c == ']' || c == '}') && *depth > 0)
                (*depth)--;
}

/* One ordinary token (name, string, number, operator, stray byte) at pos, pos < lim. */
static void lex_token(PyTokenizer *t, PyToken *tok, uint32_t lim)
{
        const char *d = t->data;
        uint32_t pos = t->pos, n;
        char c = d[pos];

        if (is_name_start((unsigned char)c)) {
                uint32_t p = pos;

                while (p < lim && is_name_char((unsigned char)d[p]))
                        p++;
                if (p < lim && (d[p] == '\'' || d[p] == '"')) {
                        int f = string_prefix(d + pos, p - pos);

                        if (f >= 0) {
                                lex_string(t, tok, pos, p - pos, f, lim);
                                return;
                        }
                }
                emit(t, tok, PY_TOK_NAME, pos, p - pos, 0);
                t->pos = p; /* nor in a name */
                return;
        }
        if (c == '\'' || c == '"') {
                lex_string(t, tok, pos, 0, 0, lim);
                return;
        }
        if (is_digit(c) || (c == '.' && pos + 1 < lim && is_digit(d[pos + 1]))) {
                lex_number(t, tok, lim);
                return;
        }
        n = op_len(d + pos, lim - pos);
        if (n > 0) {
                emit(t, tok, PY_TOK_OP, pos, n, 0);
                if (n == 1)
                        count_bracket(t, c);
                t->pos = pos + n; /* nor in an operator */
                return;
        }
        /* NUL, '$', '?', '`', control bytes, a backslash not before a line break. */
        emit(t, tok, PY_TOK_ERRORTOKEN, pos, 1, 0);
        t->pos = pos + 1; /* '\r' and '\n' never get here */
}

/* Skips blanks and backslash-newline joins; inside a {field}, line breaks too. */
static void skip_space(PyTokenizer *t, uint32_t lim, bool newlines)
{
        while (t->pos < lim) {
                char c = t->data[t->pos];
                uint32_t n;

                if (c == ' ' || c == '\t' || c == '\f')
                        t->pos++;
                else if (newlines && is_newline(c))
                        advance_to(t, t->pos + 1);
                else if (c == '\\' && (n = newline_len(t, t->pos + 1, lim)) > 0)
                        advance_to(t, t->pos + 1 + n);
                else
                        break;
        }
}

/* At the start of a logical line: INDENT or DEDENT when its indentation differs. Blank and
 * comment-only lines do not count, as in Python. */
static bool lex_indent(PyTokenizer *t, PyToken *tok)
{
        const char *d = t->data;
        uint32_t p = t->pos, col = 0, n = 0;

        t->at_line_start = false;
        for (; p < t->len; p++) {
                if (d[p] == ' ')
                        col++;
                else if (d[p] == '\t')
                        col = (col / 8 + 1) * 8;
                else if (d[p] == '\f')
                        col = 0;
                else
                        break;
                if (col > PY_TOKENIZE_MAX_INPUT) /* absurdly long run of tabs */
                        col = PY_TOKENIZE_MAX_INPUT;
        }
        if (p >= t->len || d[p] == '#' || is_newline(d[p]))
                return false;
        if (col > t->indent[t->n_indent - 1]) {
                /* Deeper than Python allows: the line counts as the deepest level. */
                if (t->n_indent > PY_TOKENIZE_MAX_INDENT)
                        return false;
                t->indent[t->n_indent++] = col;
                emit(t, tok, PY_TOK_INDENT, t->pos, p - t->pos, 0);
                t->pos = p;
                return true;
        }
        /* A column matching no open level ("unindent does not match") counts as the level it
         * falls back to. */
        while (t->n_indent > 1 && t->indent[t->n_indent - 1] > col) {
                t->n_indent--;
                n++;
        }
        t->pos = p;
        if (n == 0)
                return false;
        t->pending_dedents = n - 1;
        emit(t, tok, PY_TOK_DEDENT, p, 0, 0);
        return true;
}

static bool lex_end(PyTokenizer *t, PyToken *tok)
{
        if (t->line_has_token) {
                /* The last line lacks its line break: its NEWLINE is empty. */
                t->line_has_token = false;
                emit(t, tok, PY_TOK_NEWLINE, t->len, 0, 0);
        } else if (t->n_indent > 1) {
                t->n_indent--;
                emit(t, tok, PY_TOK_DEDENT, t->len, 0, 0);
        } else {
                emit(t, tok, PY_TOK_ENDMARKER, t->len, 0, 0);
                t->done = true;
        }
        return true;
}

/* A token outside any f-string. */
static bool next_top(PyTokenizer *t, PyToken *tok)
{
        const char *d = t->data;
        uint32_t n;

        if (t->pending_dedents > 0) {
                t->pending_dedents--;
                emit(t, tok, PY_TOK_DEDENT, t->pos, 0, 0);
                return true;
        }
        if (t->at_line_start && t->paren == 0 && lex_indent(t, tok))
                return true;
        skip_space(t, t->len, false);
        if (t->pos >= t->len)
                return lex_end(t, tok);

        n = newline_len(t, t->pos, t->len);
        if (n > 0) {
                bool ends = t->paren == 0 && t->line_has_token;

                emit(t, tok, ends ? PY_TOK_NEWLINE : PY_TOK_NL, t->pos, n, 0);
                advance_to(t, t->pos + n);
                if (ends)
                        t->line_has_token = false;
                if (t->paren == 0)
                        t->at_line_start = true;
                return true;
        }
        if (d[t->pos] == '#') {
                uint32_t p = t->pos;

                while (p < t->len && !is_newline(d[p]))
                        p++;
                emit(t, tok, PY_TOK_COMMENT, t->pos, p - t->pos, 0);
                t->pos = p;
                return true;
        }
        lex_token(t, tok, t->len);
        t->line_has_token = true;
        return true;
}

/* Literal text of an f-string (up to '{' or the closing quote) or of a format spec (up to '{'
 * or '}'). */
static bool lex_fstring_text(PyTokenizer *t, PyToken *tok, uint32_t lim, bool spec)
{
        const char *d = t->data;
        uint8_t flags = t->frames[t->n_frames - 1].flags & PY_TOKF_RAW;
        uint32_t p = t->pos;

        while (p < lim) {
                char c = d[p];

                if (c == '{') {
                        if (!spec && p + 1 < lim && d[p + 1] == '{') {
                                p += 2;
                                continue;
                        }
                        break;
                }
                if (c == '}') {
                        if (spec)
                                break;
                        p += p + 1 < lim && d[p + 1] == '}' ? 2 : 1;
                        continue;
                }
                p++;
                if (c == '\\' && !flags && p < lim) {
                        /* "\N{NAME}" is one character, its braces no field. A backslash before
                         * '{' escapes nothing: f"\{x}" is a backslash and a field. */
                        if (d[p] == 'N' && p + 1 < lim && d[p + 1] == '{') {
                                p += 2;
                                while (p < lim && d[p] != '}')
                                        p++;
                                if (p < lim)
                                        p++;
                        } else if (d[p] != '{' && d[p] != '}')
                                p++;
                }
        }
        /* No room for one more {field}: the rest is taken as text. */
        if (p < lim && d[p] == '{' && t->n_frames >= PY_TOKENIZE_MAX_FRAMES)
                p = lim;
        if (p > t->pos) {
                emit(t, tok, PY_TOK_FSTRING_MIDDLE, t->pos, p - t->pos, flags);
                advance_to(t, p);
                return true;
        }
        emit(t, tok, PY_TOK_OP, t->pos, 1, 0);
        advance_to(t, t->pos + 1);
        if (d[p] == '{')
                t->frames[t->n_frames++] = (PyFrame){.kind = FRAME_EXPR, .flags = flags};
        else
                t->n_frames--; /* '}' ends the field whose spec this was */
        return true;
}

/* Inside an f-string. Returns false when it only closed a frame and has no token yet. */
static bool next_fstring(PyTokenizer *t, PyToken *tok)
{
        PyFrame *f = &t->frames[t->n_frames - 1];
        uint32_t lim = limit(t);
        const char *d = t->data;

        if (f->kind == FRAME_TEXT) {
                if (t->pos >= f->end) {
                        PyFrame done = *f;

                        t->n_frames--;
                        emit(t, tok, PY_TOK_FSTRING_END, done.end, done.close_len, done.flags);
                        advance_to(t, done.end + done.close_len);
                        return true;
                }
                return lex_fstring_text(t, tok, lim, false);
        }
        if (f->kind == FRAME_SPEC) {
                if (t->pos >= lim) {
                        t->n_frames--;
                        return false;
                }
                return lex_fstring_text(t, tok, lim, true);
        }

        skip_space(t, lim, true);
        if (t->pos >= lim) {
                t->n_frames--; /* field cut by the closing quote */
                return false;
        }
        if (f->depth == 0) {
                char c = d[t->pos];

                if (c == '}' || c == ':' ||
                    (c == '!' && !(t->pos + 1 < lim && d[t->pos + 1] == '='))) {
                        emit(t, tok, PY_TOK_OP, t->pos, 1, 0);
                        advance_to(t, t->pos + 1);
                        if (c == '}')
                                t->n_frames--;
                        else if (c == ':')
                                f->kind = FRAME_SPEC;
                        return true;
                }
        }
        if (d[t->pos] == '#') {
                /* Python 3.11 forbids comments in f-string expressions. */
                emit(t, tok, PY_TOK_ERRORTOKEN, t->pos, 1, 0);
                advance_to(t, t->pos + 1);
                return true;
        }
        lex_token(t, tok, lim);
        return true;
}

bool py_tokenizer_next(PyTokenizer *t, PyToken *ret)
{
        if (t->done)
                return false;
        /* Each round either returns a token or pops a frame, so this ends. */
        while (t->n_frames > 0)
                if (next_fstring(t, ret))
                        return true;
        return next_top(t, ret);
}

const char *py_token_type_to_string(PyTokenType type)
{
        static const char *const names[_PY_TOK_MAX] = {
            [PY_TOK_ENDMARKER] = "ENDMARKER",
            [PY_TOK_NAME] = "NAME",
            [PY_TOK_NUMBER] = "NUMBER",
            [PY_TOK_STRING] = "STRING",
            [PY_TOK_FSTRING_START] = "FSTRING_START",
            [PY_TOK_FSTRING_MIDDLE] = "FSTRING_MIDDLE",
            [PY_TOK_FSTRING_END] = "FSTRING_END",
            [PY_TOK_OP] = "OP",
            [PY_TOK_COMMENT] = "COMMENT",
            [PY_TOK_NEWLINE] = "NEWLINE",
            [PY_TOK_NL] = "NL",
            [PY_TOK_INDENT] = "INDENT",
            [PY_TOK_DEDENT] = "DEDENT",
            [PY_TOK_ERRORTOKEN] = "ERRORTOKEN",
        };

        return (unsigned)type < _PY_TOK_MAX ? names[type] : NULL;
}
