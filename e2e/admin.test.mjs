// End-to-end test of the admin page (/admin) in headless Chromium: data is prepared through the
// REST API, privileges are granted and revoked by clicking in the page, and the API confirms them.
//
// Needs a running server: PRIVZONE_URL (e.g. http://127.0.0.1:8080) and PRIVZONE_ADMIN_PASSWORD
// (PRIVZONE_ADMIN_USERNAME defaults to admin) of a fresh server, since the test creates users with
// fixed names. `./run` starts one and runs this file.

import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const url = process.env.PRIVZONE_URL ?? 'http://127.0.0.1:8080';
const admin = {
  username: process.env.PRIVZONE_ADMIN_USERNAME ?? 'admin',
  password: process.env.PRIVZONE_ADMIN_PASSWORD,
};
assert.ok(admin.password, 'PRIVZONE_ADMIN_PASSWORD must be set');
// The README's screenshot; PRIVZONE_E2E_SCREENSHOT writes it elsewhere (e.g. to keep a CI tree clean).
const screenshot =
  process.env.PRIVZONE_E2E_SCREENSHOT ?? fileURLToPath(new URL('../docs/admin.png', import.meta.url));
const API = `${url}/api/v3/onezone`;

const basic = ({ username, password }) =>
  'Basic ' + Buffer.from(`${username}:${password}`).toString('base64');

async function api(method, path, credentials, body) {
  const res = await fetch(API + path, {
    method,
    headers: {
      Authorization: basic(credentials),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return { status: res.status, location: res.headers.get('location'), body: text ? JSON.parse(text) : null };
}
const created = (res) => res.location.split('/').pop();

// ---- data, through the REST API as the admin ----
const bob = { username: 'bob', password: 'bob-password-1' };
const bobId = created(await api('POST', '/users', admin, { ...bob, fullName: 'Bob' }));
const serviceName = 'DOI registry';
const serviceId = created(
  await api('POST', '/handle_services', admin, {
    name: serviceName,
    proxyEndpoint: 'https://handle-proxy.example.org/api',
    serviceProperties: { type: 'DOI', prefix: '10.5072' },
  }),
);
const groupId = created(await api('POST', '/groups', admin, { name: 'Curators' }));
await api('PUT', `/groups/${groupId}/users/${bobId}`, admin, {});
// Carol is a member of the service only through the group.
const carol = { username: 'carol', password: 'carol-password-1' };
const carolId = created(await api('POST', '/users', admin, { ...carol, fullName: 'Carol' }));
await api('PUT', `/groups/${groupId}/users/${carolId}`, admin, {});
await api('PUT', `/handle_services/${serviceId}/users/${bobId}`, admin, {});
await api('PUT', `/handle_services/${serviceId}/groups/${groupId}`, admin, {});

const privilege = 'handle_service_delete';
const bobPrivileges = async () =>
  new Set((await api('GET', `/handle_services/${serviceId}/users/${bobId}/privileges`, admin)).body.privileges);
assert.ok(!(await bobPrivileges()).has(privilege), 'a new member lacks handle_service_delete');

// ---- the page ----
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
let failed = false;
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // The browser logs every 4xx itself ("Failed to load resource"); statuses are asserted below.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
  });

  const response = await page.goto(`${url}/admin`);
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-security-policy'], /default-src 'self'/);

  async function logIn({ username, password }) {
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
  }

  // A wrong password shows the API's 401 with its authError description.
  await logIn({ username: admin.username, password: 'not-the-password' });
  const error = page.getByRole('alert');
  await error.waitFor();
  assert.match(await error.innerText(), /401 unauthorized/);
  assert.match(await error.innerText(), /badBasicCredentials Invalid username or password\./);

  await logIn(admin);
  await page.getByRole('button', { name: 'Log out' }).waitFor();
  assert.ok(await error.isHidden(), 'a successful login clears the error');
  assert.ok(await page.getByRole('button', { name: 'Log in' }).isHidden(), 'the login form is gone');
  // Admins (oz_users_list) see every user.
  await page.getByRole('button', { name: bob.username }).waitFor();

  await page.getByRole('button', { name: 'Handle services' }).click();
  await page.getByRole('button', { name: serviceName }).click();
  const bobRow = page.locator(`tr[data-member="users/${bobId}"]`);
  await bobRow.waitFor();
  // Bob is a member directly and through the group: both intermediaries are shown.
  assert.match(await bobRow.locator('td.via').innerText(), /direct, via Curators/);
  assert.equal(await page.locator(`tr[data-member="groups/${groupId}"]`).count(), 1);
  // An effective-only member: read-only marks, no checkboxes.
  const carolRow = page.locator(`tr[data-member="users/${carolId}"]`);
  assert.equal(await carolRow.locator('td.via').innerText(), 'via Curators');
  assert.equal(await carolRow.getByRole('checkbox').count(), 0);
  assert.equal(await carolRow.getByText('✓').count(), 3, "the group's default member privileges");

  const box = page.getByRole('checkbox', { name: `${bob.username}: ${privilege}` });
  assert.equal(await box.isChecked(), false);

  // Grant by clicking, then ask the API.
  const patch = (body) =>
    page.waitForResponse(
      (r) => r.request().method() === 'PATCH' && r.url().endsWith(`/handle_services/${serviceId}/users/${bobId}/privileges`) &&
        JSON.stringify(r.request().postDataJSON()) === JSON.stringify(body),
    );
  let sent = patch({ grant: [privilege] });
  await box.click();
  assert.equal((await sent).status(), 204);
  assert.ok((await bobPrivileges()).has(privilege), 'the API reports the privilege granted');
  // The view reloads with the new direct and effective state.
  await page.waitForFunction(() => !document.querySelector('#detail[aria-busy]'));
  await page.getByRole('checkbox', { name: `${bob.username}: ${privilege}`, checked: true }).waitFor();
  const cell = page.getByRole('checkbox', { name: `${bob.username}: ${privilege}` }).locator('xpath=..');
  assert.match(await cell.innerText(), /✓/, 'a direct privilege is also effective');
  await page.screenshot({ path: screenshot, fullPage: true });

  // Revoke by clicking again.
  sent = patch({ revoke: [privilege] });
  await page.getByRole('checkbox', { name: `${bob.username}: ${privilege}` }).click();
  assert.equal((await sent).status(), 204);
  assert.ok(!(await bobPrivileges()).has(privilege), 'the API reports the privilege revoked');
  await page.waitForFunction(() => !document.querySelector('#detail[aria-busy]'));
  await page.getByRole('checkbox', { name: `${bob.username}: ${privilege}`, checked: false }).waitFor();
  assert.deepEqual(problems, []);

  // Bob, a plain member, sees only his own entities; his click is refused with the API's 403.
  await page.getByRole('button', { name: 'Log out' }).click();
  await logIn(bob);
  await page.getByRole('button', { name: 'Log out' }).waitFor();
  await page.getByRole('button', { name: 'Handle services' }).click();
  await page.getByRole('button', { name: serviceName }).click();
  const own = page.getByRole('checkbox', { name: `${bob.username}: ${privilege}` });
  await own.waitFor();
  sent = patch({ grant: [privilege] });
  await own.click();
  assert.equal((await sent).status(), 403);
  await error.waitFor();
  assert.match(await error.innerText(), /403 forbidden/);
  assert.equal(await own.isChecked(), false, 'a refused change is undone in the page');
  assert.ok(!(await bobPrivileges()).has(privilege), 'the refused grant changed nothing');
  // Bob can see only himself in the user list (no oz_users_list).
  await page.getByRole('button', { name: 'Users' }).click();
  await page.getByRole('button', { name: bob.username }).waitFor();
  assert.equal(await page.locator('#list li').count(), 1);
  console.log('ok: admin page grants and revokes through the API; errors shown; screenshot', screenshot);
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
