/* The allow-list: --allow-net specs, host matching, and which addresses are private. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <netinet/in.h>
#include <string.h>

#include "net/gateway.h"

static NetPolicy policy_of(const char *spec)
{
        AirlockError err = {0};
        NetPolicy p;

        net_policy_init(&p);
        cr_assert_eq(net_policy_add_allow(&p, spec, &err), 0, "'%s': %s", spec, err.message);
        return p;
}

Test(net_policy, good_specs)
{
        struct {
                const char *spec;
                const char *host;
                uint16_t port;
        } good[] = {
            {"example.org", "example.org", 0},
            {"Example.ORG.", "example.org", 0},
            {"example.org:8443", "example.org", 8443},
            {"*.example.org", "*.example.org", 0},
            {"*.Example.org:443", "*.example.org", 443},
            {"93.184.216.34", "93.184.216.34", 0},
            {"93.184.216.34:80", "93.184.216.34", 80},
            {"[2001:DB8::1]", "2001:db8::1", 0},
            {"[2606:2800:220:1::]:443", "2606:2800:220:1::", 443},
            {"a_b-c.example", "a_b-c.example", 0},
            {"host:65535", "host", 65535},
        };

        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
                NetPolicy p = policy_of(good[i].spec);

                cr_assert_eq(p.n_rules, 1);
                cr_assert_str_eq(p.rules[0].host, good[i].host, "%s", good[i].spec);
                cr_assert_eq(p.rules[0].port, good[i].port, "%s", good[i].spec);
                net_policy_done(&p);
        }
}

Test(net_policy, several_in_one_spec)
{
        NetPolicy p = policy_of("a.org,b.org:81,[::2]:82");

        cr_assert_eq(p.n_rules, 3);
        cr_assert_str_eq(p.rules[2].host, "::2");
        cr_assert_eq(p.rules[2].port, 82);
        net_policy_done(&p);
}

Test(net_policy, bad_specs)
{
        const char *bad[] = {
            "",
            ",",
            "a.org,",
            ",a.org",
            "a.org,,b.org",
            "a.org:",
            "a.org:0",
            "a.org:65536",
            "a.org:-1",
            "a.org:+80",
            "a.org:80x",
            "a.org:80:81",
            "*",
            "*.",
            "a.*.org",
            "*a.org",
            "a*.org",
            "*.*.org",
            "**.org",
            "a..org",
            ".a.org",
            "a.org..",
            "::1",
            "2001:db8::1:443",
            "[::1",
            "[::1]x",
            "[::1]:",
            "[1.2.3.4]",
            "[]",
            "[example.org]",
            "a b.org",
            "a/b.org",
            "a@b.org",
            "1.2.3",
            "1.2.3.256",
            "0x7f000001",
            "123",
            "01.2.3.4",
            "*.1.2.3.4",
            "a.org:99999999999999999999",
            "h\xc3\xa9.org",
            "\x01.org",
        };

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                AirlockError err = {0};
                NetPolicy p;

                net_policy_init(&p);
                cr_assert_lt(net_policy_add_allow(&p, bad[i], &err), 0, "accepted '%s'", bad[i]);
                cr_assert_eq(err.kind, AIRLOCK_ERR_USAGE, "%s", bad[i]);
                cr_assert_eq(p.n_rules, 0, "'%s' left rules behind", bad[i]);
                net_policy_done(&p);
        }
}

Test(net_policy, long_names)
{
        char label[64], name[300];
        AirlockError err = {0};
        NetPolicy p;

        memset(label, 'a', 63);
        label[63] = '\0';
        snprintf(name, sizeof(name), "%s.%s.%s.%.61s", label, label, label, label);
        cr_assert_eq(strlen(name), 253);
        net_policy_init(&p);
        cr_assert_eq(net_policy_add_allow(&p, name, &err), 0, "253 characters");
        snprintf(name, sizeof(name), "%s.%s.%s.%.62s", label, label, label, label);
        cr_assert_lt(net_policy_add_allow(&p, name, &err), 0, "254 characters");
        snprintf(name, sizeof(name), "%sa.org", label);
        cr_assert_lt(net_policy_add_allow(&p, name, &err), 0, "a 64-character label");
        net_policy_done(&p);
}

Test(net_policy, at_most_64_rules)
{
        AirlockError err = {0};
        char spec[16];
        NetPolicy p;

        net_policy_init(&p);
        for (int i = 0; i < 64; i++) {
                snprintf(spec, sizeof(spec), "h%d.org", i);
                cr_assert_eq(net_policy_add_allow(&p, spec, &err), 0);
        }
        cr_assert_lt(net_policy_add_allow(&p, "one-more.org", &err), 0);
        cr_assert_eq(p.n_rules, 64);
        net_policy_done(&p);
}

Test(net_policy, host_matching)
{
        NetPolicy p = policy_of("example.org,*.wild.org,api.svc:8443,10.1.2.3:22,[2001:db8::5]");
        struct {
                const char *host;
                uint16_t port;
                bool allowed;
        } t[] = {
            {"example.org", 443, true},      {"example.org", 80, true},
            {"EXAMPLE.ORG", 443, true},      {"example.org.", 443, true},
            {"example.org", 8080, false},    {"example.org", 0, false},
            {"www.example.org", 443, false}, {"example.org.evil", 443, false},
            {"xexample.org", 443, false},    {"a.wild.org", 443, true},
            {"a.b.wild.org", 80, true},      {"A.Wild.Org.", 80, true},
            {"wild.org", 443, false},        {"awild.org", 443, false},
            {".wild.org", 443, false},       {"a..wild.org", 443, false},
            {"api.svc", 8443, true},         {"api.svc", 443, false},
            {"10.1.2.3", 22, true},          {"10.1.2.3", 80, false},
            {"10.1.2.4", 22, false},         {"2001:db8::5", 443, true},
            {"[2001:db8::5]", 443, true},    {"2001:DB8:0::5", 80, true},
            {"2001:db8::6", 443, false},     {"", 443, false},
            {"exa mple.org", 443, false},    {"example.org:443", 443, false},
        };

        for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
                cr_assert_eq(net_policy_host_allowed(&p, t[i].host, t[i].port), t[i].allowed,
                             "%s:%u", t[i].host, t[i].port);
        cr_assert(net_policy_name_allowed(&p, "api.svc"));
        cr_assert(net_policy_name_allowed(&p, "x.wild.org"));
        cr_assert_not(net_policy_name_allowed(&p, "wild.org"));
        cr_assert_not(net_policy_name_allowed(&p, "other.org"));
        net_policy_done(&p);
}

Test(net_policy, normalize)
{
        char buf[256];

        cr_assert_eq(net_host_normalize("Example.Org.", buf, sizeof(buf)), 0);
        cr_assert_str_eq(buf, "example.org");
        cr_assert_eq(net_host_normalize("[::FFFF:1.2.3.4]", buf, sizeof(buf)), 0);
        cr_assert_str_eq(buf, "::ffff:1.2.3.4");
        cr_assert_eq(net_host_normalize("2001:0db8:0:0::1", buf, sizeof(buf)), 0);
        cr_assert_str_eq(buf, "2001:db8::1");
        cr_assert_lt(net_host_normalize("example.org", buf, 5), 0);
        cr_assert_lt(net_host_normalize("example..org", buf, sizeof(buf)), 0);
        cr_assert_lt(net_host_normalize("[fe80::1%eth0]", buf, sizeof(buf)), 0);
        cr_assert_lt(net_host_normalize(".", buf, sizeof(buf)), 0);
}

Test(net_policy, private_cidrs)
{
        const char *good[] = {"10.0.0.0/8", "127.0.0.1/32", "127.0.0.1", "fd00::/8",  "::1",
                              "[fd00::]/8", "0.0.0.0/0",    "::/0",      "10.1.2.3/8"};
        const char *bad[] = {"",  "10.0.0.0/33",  "::/129",      "10.0.0.0/",   "10.0.0/8",
                             "x", "10.0.0.0/8/8", "10.0.0.0/-1", "10.0.0.0/ 8", "fd00::/1x"};
        AirlockError err = {0};
        NetPolicy p;

        net_policy_init(&p);
        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
                cr_assert_eq(net_policy_add_private(&p, good[i], &err), 0, "%s", good[i]);
        cr_assert_eq(p.private_ok[0].prefix, 8);
        cr_assert_eq(p.private_ok[2].prefix, 32);
        cr_assert_eq(p.private_ok[4].prefix, 128);
        cr_assert_eq(p.private_ok[8].addr[1], 0, "host bits are cleared");
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                cr_assert_lt(net_policy_add_private(&p, bad[i], &err), 0, "accepted %s", bad[i]);
        cr_assert_eq(p.n_private_ok, sizeof(good) / sizeof(good[0]));
        net_policy_done(&p);
}

static bool allowed(const NetPolicy *p, const char *addr)
{
        struct sockaddr_in in = {.sin_family = AF_INET};
        struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};

        if (inet_pton(AF_INET, addr, &in.sin_addr) == 1)
                return net_policy_address_allowed(p, (struct sockaddr *)&in);
        cr_assert_eq(inet_pton(AF_INET6, addr, &in6.sin6_addr), 1, "%s", addr);
        return net_policy_address_allowed(p, (struct sockaddr *)&in6);
}

/* Both edges of every range, and the addresses just outside them. */
Test(net_policy, address_classes)
{
        const char *refused[] = {
            "0.0.0.0",
            "0.255.255.255",
            "10.0.0.0",
            "10.255.255.255",
            "100.64.0.0",
            "100.127.255.255",
            "127.0.0.0",
            "127.0.0.1",
            "127.255.255.255",
            "169.254.0.0",
            "169.254.169.254",
            "169.254.255.255",
            "172.16.0.0",
            "172.31.255.255",
            "192.0.0.0",
            "192.0.0.255",
            "192.0.2.0",
            "192.0.2.255",
            "192.168.0.0",
            "192.168.255.255",
            "198.18.0.0",
            "198.19.255.255",
            "198.51.100.0",
            "198.51.100.255",
            "203.0.113.0",
            "203.0.113.255",
            "224.0.0.0",
            "239.255.255.255",
            "240.0.0.0",
            "255.255.255.254",
            "255.255.255.255",
            "::",
            "::1",
            "::127.0.0.1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:0.0.0.0",
            "64:ff9b::127.0.0.1",
            "64:ff9b::a00:1",
            "64:ff9b::c0a8:101",
            "64:ff9b:1::1",
            "fc00::",
            "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            "fe80::",
            "fe80::1",
            "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            "fec0::",
            "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            "ff00::",
            "ff02::1",
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            "2001:db8::",
            "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
        };
        const char *public[] = {
            "1.0.0.0",
            "9.255.255.255",
            "11.0.0.0",
            "100.63.255.255",
            "100.128.0.0",
            "126.255.255.255",
            "128.0.0.0",
            "169.253.255.255",
            "169.255.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "191.255.255.255",
            "192.0.1.0",
            "192.0.3.0",
            "192.167.255.255",
            "192.169.0.0",
            "198.17.255.255",
            "198.20.0.0",
            "198.51.99.255",
            "198.51.101.0",
            "203.0.112.255",
            "203.0.114.0",
            "223.255.255.255",
            "93.184.216.34",
            "8.8.8.8",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "::1:0:0:0",
            "2606:2800:220:1::",
            "2001:db7:ffff::",
            "2001:db9::",
            "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            "fe00::",
            "fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            "ff::1",
            "fe::1",
        };
        struct sockaddr_storage unix_sa = {.ss_family = AF_UNIX};
        NetPolicy p;

        net_policy_init(&p);
        for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
                cr_assert_not(allowed(&p, refused[i]), "%s is allowed", refused[i]);
        for (size_t i = 0; i < sizeof(public) / sizeof(public[0]); i++)
                cr_assert(allowed(&p, public[i]), "%s is refused", public[i]);
        cr_assert_not(net_policy_address_allowed(&p, (struct sockaddr *)&unix_sa));
        cr_assert_not(net_policy_address_allowed(&p, NULL));
        net_policy_done(&p);
}

Test(net_policy, allow_private_names_ranges)
{
        AirlockError err = {0};
        NetPolicy p;

        net_policy_init(&p);
        cr_assert_eq(net_policy_add_private(&p, "127.0.0.1/32", &err), 0);
        cr_assert_eq(net_policy_add_private(&p, "10.0.0.0/9", &err), 0);
        cr_assert_eq(net_policy_add_private(&p, "fd00::/8", &err), 0);
        cr_assert(allowed(&p, "127.0.0.1"));
        cr_assert_not(allowed(&p, "127.0.0.2"));
        cr_assert(allowed(&p, "::ffff:127.0.0.1"), "the mapped spelling of a named address");
        cr_assert(allowed(&p, "10.0.0.0"));
        cr_assert(allowed(&p, "10.127.255.255"));
        cr_assert_not(allowed(&p, "10.128.0.0"));
        cr_assert(allowed(&p, "fd12::1"));
        cr_assert_not(allowed(&p, "fc00::1"));
        cr_assert_not(allowed(&p, "169.254.169.254"));
        net_policy_done(&p);
}

Test(net_policy, copy_is_deep)
{
        NetPolicy p = policy_of("a.org,b.org:81"), c;
        AirlockError err = {0};

        cr_assert_eq(net_policy_add_private(&p, "10.0.0.0/8", &err), 0);
        p.max_conns = 3;
        cr_assert_eq(net_policy_copy(&p, &c), 0);
        net_policy_done(&p);
        cr_assert_eq(c.n_rules, 2);
        cr_assert_str_eq(c.rules[1].host, "b.org");
        cr_assert_eq(c.n_private_ok, 1);
        cr_assert_eq(c.max_conns, 3);
        net_policy_done(&c);
        cr_assert_str_eq(net_record_kind_to_string(NET_RECORD_DNS), "dns");
}
