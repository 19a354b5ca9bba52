/*
 * airlock: Node's http, https and fetch through the egress gateway.
 *
 * With --allow-net, airlock writes this file to /etc/airlock/node-proxy.js inside the sandbox
 * and sets NODE_OPTIONS=--require /etc/airlock/node-proxy.js, so every node process loads it
 * before the program. Node 20 ignores HTTP(S)_PROXY, and the sandbox has no other way out than
 * the proxy those variables name. This file:
 *
 *  - replaces http.globalAgent with an agent that connects to the proxy and sends requests in
 *    absolute form (GET http://host:port/path), the proxy's plain-HTTP mode;
 *  - replaces https.globalAgent with an agent that opens a CONNECT tunnel through the proxy and
 *    runs TLS over it, with Node's usual certificate verification and SNI;
 *  - installs, where Node's bundled undici looks for its global dispatcher, a small dispatcher
 *    that carries each fetch() request out with those two agents.
 *
 * An `agent` (or `createConnection`) the caller passes is used as given, and so is a dispatcher
 * the program installs itself: those connect directly, which the sandbox refuses.
 *
 * It must never break a program: without a proxy variable it does nothing, and a failure while
 * loading is swallowed (AIRLOCK_NODE_PROXY_DEBUG=1 prints it on stderr).
 */
'use strict';

(() => {
        const env = process.env;

        /* The first of the named variables that is set, as {host, port}; null if none is, or
         * if it is not a plain http:// proxy URL (the only kind airlock runs). */
        function proxyFrom(names) {
                for (const name of names) {
                        if (!env[name])
                                continue;
                        let u;
                        try {
                                u = new URL(env[name]);
                        } catch {
                                return null;
                        }
                        if (u.protocol !== 'http:')
                                return null;
                        return { host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(u.port) || 80 };
                }
                return null;
        }

        function authority(host, port) {
                return (host.includes(':') ? `[${host}]` : host) + ':' + port;
        }

        function install() {
                const net = require('net');
                const http = require('http');
                const https = require('https');
                /* Lower case first, as curl reads them; airlock sets both to the same URL. */
                const httpProxy = proxyFrom(['http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY']);
                const httpsProxy = proxyFrom(['https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY']);

                if (!httpProxy && !httpsProxy)
                        return;

                const isProxy = (proxy, host, port) => host === proxy.host && Number(port) === proxy.port;

                /* Plain HTTP: every connection goes to the proxy, the request target becomes
                 * absolute. One request per connection: the proxy closes after each response. */
                class AirlockHttpAgent extends http.Agent {
                        constructor(options) {
                                super({ ...options, keepAlive: false });
                        }

                        addRequest(req, options) {
                                /* CONNECT's target is already an authority, a request addressed to
                                 * the proxy itself goes to it unchanged, a unix socket is local. */
                                if (!options.socketPath && req.method !== 'CONNECT' &&
                                    req.path.startsWith('/') && !isProxy(httpProxy, options.host, options.port)) {
                                        const target = `http://${authority(options.host, options.port)}${req.path}`;
                                        /* The head is already built when the caller gave headers
                                         * as an array, or an Expect header: fix its first line. */
                                        if (typeof req._header === 'string' && req._header)
                                                req._header = `${req.method} ${target}` +
                                                    req._header.slice(req.method.length + 1 + req.path.length);
                                        req.path = target;
                                }
                                return super.addRequest(req, options);
                        }

                        createConnection(options, callback) {
                                if (options.socketPath)
                                        return super.createConnection(options, callback);
                                return net.connect({ host: httpProxy.host, port: httpProxy.port });
                        }
                }

                /* Sends CONNECT target on sock and calls done(err) once the proxy has answered. */
                function tunnel(sock, target, done) {
                        let head = Buffer.alloc(0);

                        function finish(err) {
                                sock.removeListener('readable', onReadable);
                                sock.removeListener('error', finish);
                                sock.removeListener('end', onEnd);
                                done(err);
                        }
                        function onEnd() {
                                finish(proxyError(`the proxy closed the connection (CONNECT ${target})`));
                        }
                        function onReadable() {
                                let chunk;
                                while ((chunk = sock.read()) !== null) {
                                        head = Buffer.concat([head, chunk]);
                                        const end = head.indexOf('\r\n\r\n');
                                        if (end < 0) {
                                                if (head.length > 16384)
                                                        finish(proxyError(`overlong answer to CONNECT ${target}`));
                                                continue;
                                        }
                                        const text = head.toString('latin1');
                                        const status = /^HTTP\/1\.[01] (\d{3})/.exec(text);
                                        /* Nothing may come before the TLS handshake. */
                                        if (status && status[1] === '200' && end + 4 < head.length)
                                                return finish(proxyError(`data before TLS (CONNECT ${target})`));
                                        if (status && status[1] === '200')
                                                return finish(null);
                                        /* The gateway's refusal names the reason in its body. */
                                        const why = text.slice(0, text.indexOf('\r\n')) + ': ' +
                                                    text.slice(end + 4).trim();
                                        return finish(proxyError(`CONNECT ${target} refused: ${why}`));
                                }
                        }
                        sock.on('readable', onReadable);
                        sock.on('error', finish);
                        sock.on('end', onEnd);
                        sock.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
                }

                function proxyError(message) {
                        const err = new Error('airlock proxy: ' + message);
                        err.code = 'ECONNREFUSED';
                        return err;
                }

                /* TLS: a CONNECT tunnel to the origin, then https.Agent's own TLS set-up over it
                 * (certificate checks against the origin's name, SNI, session cache). */
                class AirlockHttpsAgent extends https.Agent {
                        constructor(options) {
                                super({ keepAlive: true, scheduling: 'lifo', timeout: 5000, ...options });
                        }

                        createConnection(options, callback) {
                                if (options.socketPath)
                                        return super.createConnection(options, callback);
                                const raw = net.connect({ host: httpsProxy.host, port: httpsProxy.port });
                                tunnel(raw, authority(options.host, options.port || 443), (err) => {
                                        let tls;
                                        if (!err) {
                                                try {
                                                        tls = super.createConnection({ ...options, socket: raw });
                                                } catch (e) {
                                                        err = e;
                                                }
                                        }
                                        if (err) {
                                                raw.destroy();
                                                return callback(err);
                                        }
                                        /* TLS owns the connection now and reports its errors;
                                         * the bare socket must not throw one nobody listens to. */
                                        raw.on('error', () => {});
                                        callback(null, tls);
                                });
                                return undefined; /* the socket comes through the callback */
                        }
                }

                const httpAgent = httpProxy ? new AirlockHttpAgent() : http.globalAgent;
                const httpsAgent = httpsProxy ? new AirlockHttpsAgent() : https.globalAgent;
                http.globalAgent = httpAgent;
                https.globalAgent = httpsAgent;
                installDispatcher(http, https, httpAgent, httpsAgent);
        }

        /* undici's request headers: an object, a flat [name, value, ...] array, or pairs. */
        function headerObject(headers) {
                const out = Object.create(null); /* a header may be called "constructor" */
                const add = (name, value) => {
                        if (value === undefined)
                                return;
                        out[name] = name in out ? [].concat(out[name], value) : value;
                };
                if (Array.isArray(headers) && Array.isArray(headers[0]))
                        for (const [name, value] of headers)
                                add(String(name), value);
                else if (Array.isArray(headers))
                        for (let i = 0; i + 1 < headers.length; i += 2)
                                add(String(headers[i]), headers[i + 1]);
                else if (headers)
                        for (const name of Object.keys(headers))
                                add(name, headers[name]);
                return out;
        }

        /* undici hands over raw headers as Buffers; Node's http parser gave latin1 strings. */
        const rawBuffers = (raw) => (raw || []).map((s) => Buffer.from(s, 'latin1'));

        /*
         * The part of undici's Dispatcher that Node 20's bundled fetch uses: dispatch(opts,
         * handler), with opts {origin, path, method, headers, body} and the handler's
         * onConnect(abort), onResponseStarted(), onHeaders(status, rawHeaders, resume,
         * statusText) (false: pause until resume()), onData(chunk) (false: pause),
         * onComplete(trailers), onError(err). fetch follows redirects itself
         * (maxRedirections is 0) and decodes content itself; upgrades (WebSocket) are refused.
         */
        function installDispatcher(http, https, httpAgent, httpsAgent) {
                async function writeBody(req, body) {
                        for await (const chunk of body) {
                                if (req.destroyed)
                                        return;
                                if (!req.write(chunk))
                                        await new Promise((resolve) => {
                                                const go = () => {
                                                        req.off('drain', go);
                                                        req.off('close', go);
                                                        resolve();
                                                };
                                                req.on('drain', go);
                                                req.on('close', go);
                                        });
                        }
                        req.end();
                }

                function dispatch(opts, handler) {
                        let req = null, settled = false;
                        const fail = (err) => {
                                if (settled)
                                        return;
                                settled = true;
                                if (req)
                                        req.destroy();
                                handler.onError(err);
                        };

                        handler.onConnect?.((reason) => fail(reason ?? new Error('aborted')));
                        if (settled)
                                return true;
                        try {
                                if (opts.upgrade)
                                        throw new Error('airlock proxy: protocol upgrades are not supported');
                                const origin = new URL(opts.origin);
                                const tls = origin.protocol === 'https:';
                                req = (tls ? https : http).request({
                                        protocol: origin.protocol,
                                        hostname: origin.hostname.replace(/^\[(.*)\]$/, '$1'),
                                        port: origin.port || (tls ? 443 : 80),
                                        path: opts.path,
                                        method: opts.method,
                                        headers: headerObject(opts.headers),
                                        agent: tls ? httpsAgent : httpAgent,
                                });
                        } catch (err) {
                                fail(err);
                                return true;
                        }
                        req.on('error', fail);
                        req.on('response', (res) => {
                                try {
                                        handler.onResponseStarted?.();
                                        const resume = () => res.resume();
                                        if (handler.onHeaders(res.statusCode, rawBuffers(res.rawHeaders), resume,
                                                              res.statusMessage) === false)
                                                res.pause();
                                } catch (err) {
                                        return fail(err);
                                }
                                res.on('data', (chunk) => {
                                        if (settled)
                                                return;
                                        try {
                                                if (handler.onData(chunk) === false)
                                                        res.pause();
                                        } catch (err) {
                                                fail(err);
                                        }
                                });
                                res.on('end', () => {
                                        if (settled)
                                                return;
                                        settled = true;
                                        handler.onComplete(rawBuffers(res.rawTrailers));
                                });
                                res.on('error', fail);
                                res.on('close', () => fail(new Error('airlock proxy: response cut short')));
                        });

                        const body = opts.body;
                        if (body == null)
                                req.end();
                        else if (typeof body === 'string' || body instanceof Uint8Array)
                                req.end(body);
                        else if (typeof body.pipe === 'function')
                                body.on('error', fail).pipe(req);
                        else if (body[Symbol.asyncIterator] || body[Symbol.iterator])
                                writeBody(req, body).catch(fail);
                        else
                                fail(new TypeError('airlock proxy: unsupported request body'));
                        return true;
                }

                const dispatcher = {
                        dispatch,
                        close: () => Promise.resolve(),
                        destroy: () => Promise.resolve(),
                };
                /* Read by undici on every fetch(); undici creates its own Agent there only if
                 * nothing is set yet when it first loads. */
                globalThis[Symbol.for('undici.globalDispatcher.1')] = dispatcher;
        }

        try {
                install();
        } catch (err) {
                if (env.AIRLOCK_NODE_PROXY_DEBUG)
                        process.stderr.write(`airlock node-proxy: not installed: ${err && err.stack}\n`);
        }
})();
