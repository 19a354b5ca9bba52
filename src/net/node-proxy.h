#pragma once

/* The Node preload shim: node-proxy.js, embedded at build time (scripts/embed-text). With
 * --allow-net the sandbox's /etc holds it and NODE_OPTIONS requires it, so that node's http,
 * https and fetch, which ignore HTTP(S)_PROXY, go through the egress gateway (docs/NETWORK.md). */
#define NODE_PROXY_DIR    "airlock" /* under /etc */
#define NODE_PROXY_NAME   "node-proxy.js"
#define NODE_PROXY_PATH   "/etc/" NODE_PROXY_DIR "/" NODE_PROXY_NAME
#define NODE_PROXY_OPTION "--require " NODE_PROXY_PATH

extern const char node_proxy_js[];
