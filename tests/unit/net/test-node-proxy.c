/* The Node shim is compiled in whole (scripts/embed-text) and names where it is installed. */
#include <criterion/criterion.h>
#include <string.h>

#include "net/node-proxy.h"

Test(node_proxy, embedded_whole)
{
        size_t len = strlen(node_proxy_js);

        cr_assert_gt(len, 1000);
        cr_assert(strncmp(node_proxy_js, "/*", 2) == 0);
        cr_assert_not_null(strstr(node_proxy_js, "'use strict';\n"));
        cr_assert_not_null(strstr(node_proxy_js, "Symbol.for('undici.globalDispatcher.1')"));
        cr_assert_not_null(strstr(node_proxy_js, "\\r\\n\\r\\n"), "escapes survive embedding");
        cr_assert_str_eq(node_proxy_js + len - 6, "})();\n", "the file's end is there");
}

Test(node_proxy, option_names_the_path)
{
        cr_assert_str_eq(NODE_PROXY_PATH, "/etc/airlock/node-proxy.js");
        cr_assert_str_eq(NODE_PROXY_OPTION, "--require /etc/airlock/node-proxy.js");
}
