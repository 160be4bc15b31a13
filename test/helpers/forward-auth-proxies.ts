// The reverse proxies the forward-auth end-to-end tests put in front of the tiny app: Debian's nginx with
// the server block of docs/integrations.md, and Debian's Caddy with the configuration that page shows,
// each on loopback with its files under the stack's folder (for useForwardAuthStack's spawnProxy).
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ProxyPlace } from "./forward-auth-stack.ts";

export const NGINX = "/usr/sbin/nginx";
export const CADDY = "/usr/bin/caddy";

/** The nginx server block of docs/integrations.md, on loopback: each swap must find its text, or the docs changed. */
function documentedServerBlock({ proxyPort, latchkeyPort, appPort }: ProxyPlace): string {
  const doc = readFileSync(new URL("../../docs/integrations.md", import.meta.url), "utf8");
  const section = doc.slice(doc.indexOf("### nginx"));
  const block = /```nginx\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block, "docs/integrations.md has an nginx block under ### nginx");
  let text = block;
  const swap = (from: string, to: string): void => {
    assert.ok(text.includes(from), `the documented nginx block has ${JSON.stringify(from)}`);
    text = text.replaceAll(from, to);
  };
  swap("listen 443 ssl;", `listen 127.0.0.1:${proxyPort};`);
  swap("app.example.com", "app.latchkey.test");
  swap("http://127.0.0.1:3000/", `http://127.0.0.1:${latchkeyPort}/`);
  swap("http://127.0.0.1:8080", `http://127.0.0.1:${appPort}`);
  return text;
}

/** nginx.conf with everything under place.dir around the documented server block, then nginx in the foreground. */
export function spawnNginx(place: ProxyPlace): ChildProcess {
  const { dir } = place;
  mkdirSync(join(dir, "tmp"));
  const conf = join(dir, "nginx.conf");
  writeFileSync(
    conf,
    `user root;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
${documentedServerBlock(place)}
}
`,
  );
  return spawn(NGINX, ["-p", dir, "-c", conf, "-g", "daemon off;"], { stdio: ["ignore", "pipe", "pipe"] });
}

/**
 * A Caddyfile with everything under place.dir, then `caddy run` in the foreground: the configuration
 * docs/integrations.md shows, on plain http and loopback, Caddy serving the app behind forward_auth and
 * Latchkey itself on one port (use it with latchkeyBehindProxy: true).
 */
export function spawnCaddy({ dir, proxyPort: caddyPort, latchkeyPort, appPort }: ProxyPlace): ChildProcess {
  const caddyfile = join(dir, "Caddyfile");
  writeFileSync(
    caddyfile,
    `{
	admin off
	auto_https off
	storage file_system ${join(dir, "caddy-storage")}
}

http://app.latchkey.test:${caddyPort} {
	bind 127.0.0.1
	forward_auth 127.0.0.1:${latchkeyPort} {
		uri /api/v1/authz/forward-auth
		copy_headers Remote-User Remote-Email Remote-Phone Remote-Name Remote-Groups
	}
	reverse_proxy 127.0.0.1:${appPort}
}

http://auth.latchkey.test:${caddyPort} {
	bind 127.0.0.1
	reverse_proxy 127.0.0.1:${latchkeyPort}
}
`,
  );
  // HOME and the XDG folders under dir: Caddy writes nothing outside it.
  const home = join(dir, "home");
  return spawn(CADDY, ["run", "--config", caddyfile, "--adapter", "caddyfile"], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, XDG_DATA_HOME: join(home, "data"), XDG_CONFIG_HOME: join(home, "config") },
    stdio: ["ignore", "pipe", "pipe"],
  });
}
