// OpenID Connect test provider for Amtsweg's end-to-end tests and for
// development (`scripts/run.sh --with-test-login`). A real OpenID provider
// (npm `oidc-provider`) on a loopback port, standing in for the state's
// service account (Servicekonto). Never use it in production: it has
// no passwords.
//
//   node end2end/oidc/provider.mjs [PORT]
//
// Environment:
//   OIDC_PORT                   port (or the first argument; 0 or none: a free one)
//   AMTSWEG_PUBLIC_URL          the portal's URL; redirect URI is $AMTSWEG_PUBLIC_URL/auth/callback,
//                               after logout the provider sends the browser to $AMTSWEG_PUBLIC_URL/
//   AMTSWEG_OIDC_CLIENT_ID      the static confidential client (default amtsweg-dev)
//   AMTSWEG_OIDC_CLIENT_SECRET  its secret (default amtsweg-dev-secret)
//
// When it listens it prints one line: `oidc test provider: issuer http://127.0.0.1:PORT`.
//
// Test accounts (end2end/oidc/accounts.json): the login page asks for a user
// name only, e.g. `citizen-substanziell` or `business-hoch`. Each account has
// a fixed `acr` (eIDAS level of assurance low/substantial/high), an
// `account_type` claim (citizen | business), name, birth date, address,
// e-mail and, for businesses, `organization_name`; staff accounts (staff-*)
// also a `roles` claim. The ID token carries sub,
// acr and the standard claims; userinfo has all claims.
//
// Fault injection (TEST ONLY, for the negative login tests in
// end2end/tests/login.spec.ts). The accounts named fault-* carry a `fault`
// in accounts.json. They log in like any other account, but when the token
// endpoint (POST /token) answers a code issued to one of them, this script
// changes that answer after oidc-provider produced it, on the way out
// (res.write/res.end wrapped in `server.on('request')`; the account is the
// ID token's `sub`). Every other account's answer is left exactly as it is.
//
//   fault-bad-signature      the ID token's payload changed (acr raised to
//                            "high"), not signed again: the signature fails
//   fault-wrong-audience     signed again with the provider's own key, `aud`
//                            another client
//   fault-expired            signed again with the provider's own key, `exp`
//                            and `iat` an hour in the past
//   fault-wrong-nonce        signed again with the provider's own key, another
//                            `nonce` than the login's
//   fault-unknown-key        signed with another RSA key, under a `kid` the
//                            provider does not publish in its JWKS
//   fault-token-unreachable  no answer: the token request's connection is
//                            destroyed (the provider fails during the callback)
//
// A relying party must refuse each of them (Amtsweg shows its error page).
// Each injected fault is logged as one line `oidc test provider: fault …`.

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import Provider from 'oidc-provider';

const here = path.dirname(fileURLToPath(import.meta.url));
const accounts = JSON.parse(fs.readFileSync(path.join(here, 'accounts.json'), 'utf8'));
delete accounts._comment;

const host = '127.0.0.1';
const requestedPort = Number(process.env.OIDC_PORT || process.argv[2] || 0);
const publicUrl = (process.env.AMTSWEG_PUBLIC_URL || 'http://127.0.0.1:3000').replace(/\/+$/, '');
const clientId = process.env.AMTSWEG_OIDC_CLIENT_ID || 'amtsweg-dev';
const clientSecret = process.env.AMTSWEG_OIDC_CLIENT_SECRET || 'amtsweg-dev-secret';

export const ACR = {
  low: 'http://eidas.europa.eu/LoA/low',
  substantial: 'http://eidas.europa.eu/LoA/substantial',
  high: 'http://eidas.europa.eu/LoA/high',
};

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => ({
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
}[c]));

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} – Servicekonto (Testanbieter)</title>
<style>
body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}
label{display:block;font-weight:600;margin-top:1rem}
input{font-size:1.1rem;padding:.4rem;width:100%;max-width:20rem;border:2px solid #1b1b1b}
button{font-size:1rem;padding:.5rem 1rem;margin:1rem .5rem 0 0;border:2px solid #1b1b1b;background:#fff;cursor:pointer}
button.primary{background:#004b76;color:#fff;border-color:#004b76}
.error{border-left:.3rem solid #b00020;padding-left:.7rem;color:#b00020}
table{border-collapse:collapse;margin-top:1rem}td,th{border:1px solid #999;padding:.2rem .5rem;text-align:left}
</style>
</head>
<body>
<main>
<p><strong>Servicekonto – Testanbieter</strong> (nur für Tests und Entwicklung, ohne Passwort)</p>
${body}
</main>
</body>
</html>`;
}

function loginPage(uid, params, error) {
  const rows = Object.entries(accounts).map(([name, a]) => `<tr><td><code>${escape(name)}</code></td><td>${escape(a.claims.account_type)}</td><td>${escape(a.acr)}</td><td>${escape(a.fault || '–')}</td></tr>`).join('');
  const problem = error ? `<p class="error" role="alert" id="username-error">${escape(error)}</p>` : '';
  return page('Anmelden', `
<h1>Anmelden</h1>
<p>Angefragtes Vertrauensniveau (acr_values): <code>${escape(params.acr_values || '–')}</code></p>
${problem}
<form method="post" action="/interaction/${escape(uid)}/login">
<label for="username">Benutzername</label>
<input id="username" name="username" autocomplete="username" autofocus${error ? ' aria-describedby="username-error" aria-invalid="true"' : ''}>
<div>
<button type="submit" class="primary">Anmelden</button>
<button type="submit" formaction="/interaction/${escape(uid)}/abort">Abbrechen</button>
</div>
</form>
<h2>Testkonten</h2>
<table><thead><tr><th>Benutzername</th><th>Kontoart</th><th>acr</th><th>Testfehler</th></tr></thead><tbody>${rows}</tbody></table>`);
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 16 * 1024) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res, status, html) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

// --- Fault injection (test only; see the header comment) -------------------

const FAULTS = ['bad-signature', 'wrong-audience', 'expired', 'wrong-nonce', 'unknown-key', 'token-unreachable'];
for (const [name, a] of Object.entries(accounts)) {
  if (a.fault !== undefined && !FAULTS.includes(a.fault)) {
    throw new Error(`accounts.json: ${name} has an unknown fault "${a.fault}"`);
  }
}

const base64url = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const decodePart = (part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

/** A compact JWS (RS256) of `header` and `payload`, signed with `key`. */
function signJwt(header, payload, key) {
  const input = `${base64url(header)}.${base64url(payload)}`;
  return `${input}.${crypto.sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

/**
 * `{ json, fault }` when a token endpoint answer (its body) holds the ID
 * token of a fault-* account: the parsed answer and that account's fault;
 * undefined for every other answer (normal accounts, errors).
 */
function faultOf(body) {
  try {
    const json = JSON.parse(body.toString('utf8'));
    if (typeof json.id_token !== 'string') return undefined;
    const { sub } = decodePart(json.id_token.split('.')[1]);
    const fault = Object.hasOwn(accounts, sub) ? accounts[sub].fault : undefined;
    return fault ? { json, fault } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The ID token `idToken` (made by oidc-provider, RS256 with `signingKey`)
 * broken the way `fault` says. `privateKey`: the provider's own key;
 * `otherKey`: a key whose kid the provider does not publish.
 */
function breakIdToken(idToken, fault, { privateKey, otherKey, otherKid }) {
  const [headerPart, payloadPart, signature] = idToken.split('.');
  const header = decodePart(headerPart);
  const payload = decodePart(payloadPart);
  if (header.alg !== 'RS256') throw new Error(`unexpected ID token alg ${header.alg}`);
  const now = Math.floor(Date.now() / 1000);
  switch (fault) {
    case 'bad-signature':
      // What an attacker would want: a higher trust level. The old signature stays.
      return `${headerPart}.${base64url({ ...payload, acr: ACR.high })}.${signature}`;
    case 'wrong-audience':
      return signJwt(header, { ...payload, aud: 'another-client' }, privateKey);
    case 'expired':
      return signJwt(header, { ...payload, iat: now - 2 * 3600, exp: now - 3600 }, privateKey);
    case 'wrong-nonce':
      return signJwt(header, { ...payload, nonce: crypto.randomBytes(16).toString('base64url') }, privateKey);
    case 'unknown-key':
      return signJwt({ ...header, kid: otherKid }, payload, otherKey);
    default:
      throw new Error(`no ID token fault ${fault}`);
  }
}

/**
 * Wraps `res` of a POST /token so that, for a fault-* account, its answer
 * is changed (or the connection dropped) when oidc-provider ends it. The
 * body is held back until `end`; other answers go out unchanged.
 */
function injectTokenFaults(req, res, keys) {
  const write = res.write;
  const end = res.end;
  const chunks = [];
  const toBuffer = (chunk, encoding) => (Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8'));
  res.write = function heldBack(chunk, encoding, cb) {
    if (chunk != null) chunks.push(toBuffer(chunk, encoding));
    const done = typeof encoding === 'function' ? encoding : cb;
    if (typeof done === 'function') process.nextTick(done);
    return true;
  };
  res.end = function faulty(chunk, encoding, cb) {
    if (typeof chunk === 'function') [cb, chunk] = [chunk, undefined];
    else if (typeof encoding === 'function') [cb, encoding] = [encoding, undefined];
    if (chunk != null) chunks.push(toBuffer(chunk, encoding));
    res.write = write;
    res.end = end;
    let body = Buffer.concat(chunks);
    const found = faultOf(body);
    if (found) {
      console.log(`oidc test provider: fault ${found.fault} injected into the token response`);
      if (found.fault === 'token-unreachable') {
        req.socket.destroy();
        return res;
      }
      body = Buffer.from(JSON.stringify({ ...found.json, id_token: breakIdToken(found.json.id_token, found.fault, keys) }));
      if (res.headersSent) {
        console.error('oidc test provider: fault injection too late, headers already sent; dropping the connection');
        req.socket.destroy();
        return res;
      }
      res.setHeader('content-length', body.length);
    }
    return end.call(res, body, cb);
  };
}

async function start() {
  const server = http.createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(requestedPort, host, resolve);
  });
  const { port } = server.address();
  const issuer = `http://${host}:${port}`;

  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: crypto.randomUUID(), use: 'sig', alg: 'RS256' };

  const provider = new Provider(issuer, {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      client_name: 'Amtsweg',
      redirect_uris: [`${publicUrl}/auth/callback`],
      post_logout_redirect_uris: [`${publicUrl}/`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    jwks: { keys: [signingKey] },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    acrValues: Object.values(ACR),
    claims: {
      openid: ['sub'],
      profile: ['given_name', 'family_name', 'birthdate', 'account_type', 'organization_name', 'roles'],
      email: ['email', 'email_verified'],
      address: ['address'],
    },
    // Code flow: the ID token carries the profile claims too (like many
    // Servicekonto brokers); Amtsweg also reads userinfo.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = page('Abmelden', `
<h1>Abmelden</h1>
<p>Möchten Sie sich auch beim Servicekonto abmelden?</p>
${form}
<button type="submit" class="primary" form="op.logoutForm" value="yes" name="logout">Ja, abmelden</button>`);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = page('Abgemeldet', '<h1>Abgemeldet</h1><p>Sie sind beim Servicekonto abgemeldet.</p>');
        },
      },
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, sub) {
      const account = accounts[sub];
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          return { sub, ...account.claims };
        },
      };
    },
    // The portal is a first-party client: no consent screen.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) {
        const grant = await ctx.oidc.provider.Grant.find(grantId);
        if (grant) return grant;
      }
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid profile email address');
      await grant.save();
      return grant;
    },
    ttl: { Session: 3600, Interaction: 600, AuthorizationCode: 60, IdToken: 300, AccessToken: 300, Grant: 3600 },
  });
  provider.on('server_error', (ctx, err) => console.error('oidc test provider: server error', err));

  // For the fault-* accounts only (test only, see the header comment).
  const { privateKey: otherKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const faultKeys = { privateKey, otherKey, otherKid: `unpublished-${crypto.randomUUID()}` };

  const callback = provider.callback();
  server.on('request', async (req, res) => {
    const url = new URL(req.url, issuer);
    const match = url.pathname.match(/^\/interaction\/([\w-]+)(?:\/(login|abort))?$/);
    if (!match) {
      if (req.method === 'POST' && url.pathname === '/token') injectTokenFaults(req, res, faultKeys);
      callback(req, res);
      return;
    }
    try {
      const details = await provider.interactionDetails(req, res);
      const [, uid, action] = match;
      if (details.uid !== uid) {
        send(res, 400, page('Fehler', '<h1>Ungültige Anfrage</h1>'));
        return;
      }
      if (req.method === 'GET' && !action) {
        if (details.prompt.name === 'login') {
          send(res, 200, loginPage(uid, details.params));
        } else {
          // Consent is granted by loadExistingGrant; nothing to ask.
          await provider.interactionFinished(req, res, {}, { mergeWithLastSubmission: true });
        }
        return;
      }
      if (req.method === 'POST' && action === 'abort') {
        await provider.interactionFinished(req, res, {
          error: 'access_denied',
          error_description: 'End-User aborted the login',
        }, { mergeWithLastSubmission: false });
        return;
      }
      if (req.method === 'POST' && action === 'login') {
        const form = await readForm(req);
        const username = (form.get('username') || '').trim();
        const account = accounts[username];
        if (!account) {
          send(res, 200, loginPage(uid, details.params, `Unbekannter Benutzername „${username}“.`));
          return;
        }
        await provider.interactionFinished(req, res, {
          login: { accountId: username, acr: account.acr, amr: ['pwd'] },
        }, { mergeWithLastSubmission: false });
        return;
      }
      send(res, 405, page('Fehler', '<h1>Nicht erlaubt</h1>'));
    } catch (err) {
      console.error('oidc test provider: interaction failed:', err.message);
      if (!res.headersSent) send(res, 400, page('Fehler', `<h1>Anmeldung nicht möglich</h1><p>${escape(err.message)}</p>`));
    }
  });

  console.log(`oidc test provider: issuer ${issuer}`);
  const stop = () => {
    server.closeAllConnections();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

start().catch((err) => {
  console.error(`oidc test provider: cannot start: ${err.message}`);
  process.exit(1);
});
