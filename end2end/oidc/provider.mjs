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
  const rows = Object.entries(accounts).map(([name, a]) => `<tr><td><code>${escape(name)}</code></td><td>${escape(a.claims.account_type)}</td><td>${escape(a.acr)}</td></tr>`).join('');
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
<table><thead><tr><th>Benutzername</th><th>Kontoart</th><th>acr</th></tr></thead><tbody>${rows}</tbody></table>`);
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

  const callback = provider.callback();
  server.on('request', async (req, res) => {
    const url = new URL(req.url, issuer);
    const match = url.pathname.match(/^\/interaction\/([\w-]+)(?:\/(login|abort))?$/);
    if (!match) {
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
