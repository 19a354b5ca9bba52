#include <criterion/criterion.h>
#include <stdlib.h>

#include "basic/path.h"

static void assert_norm(const char *in, const char *want)
{
        char *out = NULL;

        cr_assert_eq(path_normalize_relative(in, "/work", &out), 0, "refused '%s'", in);
        cr_assert_str_eq(out, want);
        free(out);
}

Test(path, normalize)
{
        assert_norm("a", "a");
        assert_norm("a//b/./c/", "a/b/c");
        assert_norm("./data.csv", "data.csv");
        assert_norm("/work/out/x.png", "out/x.png");
        assert_norm("..a/b..", "..a/b..");
}

Test(path, refuses_escapes)
{
        const char *bad[] = {"",         "..", "../x", "a/../../x", "a/..",  "/etc/passwd",
                             "/workx/a", "/",  ".",    "./",        "/work", "/work/"};
        char *out = (char *)"untouched";

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                cr_assert_lt(path_normalize_relative(bad[i], "/work", &out), 0, "accepted '%s'",
                             bad[i]);
        cr_assert_str_eq(out, "untouched");
        cr_assert_lt(path_normalize_relative("/work/a", NULL, &out), 0);
}

Test(path, component_and_basename)
{
        char *b;

        cr_assert(path_is_plain_component("a.txt"));
        cr_assert_not(path_is_plain_component(".."));
        cr_assert_not(path_is_plain_component("a/b"));
        cr_assert_not(path_is_plain_component(""));
        b = path_basename("/x/y/data.csv/");
        cr_assert_str_eq(b, "data.csv");
        free(b);
        cr_assert_null(path_basename("///"));
}
