/**
 * The setup pages' HTML. Everything interpolated is escaped: the manifest carries app.yml's text,
 * and Probot's own page breaks (or worse) on a description with an apostrophe in it.
 */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(title)}</title>
  <link rel="stylesheet" href="/probot/static/primer.css">
</head>
<body class="bg-gray-light">
  <div class="container-md p-6">
    <div class="Box p-5 bg-white">
${body}
    </div>
  </div>
</body>
</html>`;
}

export interface RegisterPageInputs {
  name: string;
  createAppUrl: string;
  manifest: Record<string, unknown>;
  hookUrl: string;
  /** How deliveries reach this app, in one sentence. */
  delivery: string;
}

export function registerPage(inputs: RegisterPageInputs): string {
  return page(`Register ${inputs.name}`, `      <h1 class="h2 mb-3">Register ${escapeHtml(inputs.name)} on GitHub</h1>
      <p>This registers a GitHub App from <code>app.yml</code> on your account and writes its
      credentials to <code>.env</code>. Restart the app afterwards.</p>
      <p>Webhooks: <code id="hook-url">${escapeHtml(inputs.hookUrl)}</code><br>${escapeHtml(inputs.delivery)}</p>
      <form action="${escapeHtml(inputs.createAppUrl)}" method="post">
        <input type="hidden" name="manifest" value="${escapeHtml(JSON.stringify(inputs.manifest))}">
        <button type="submit" class="btn btn-primary">Register GitHub App</button>
        <a href="/probot/import" class="ml-2">or use an existing GitHub App</a>
      </form>`);
}

export function importPage(): string {
  return page("Use an existing GitHub App", `      <h1 class="h2 mb-3">Use an existing GitHub App</h1>
      <p>From the App's settings page on GitHub. They are written to <code>.env</code>.</p>
      <form action="/probot/import" method="post">
        <p><label>App ID<br><input class="form-control" name="appId" inputmode="numeric" required></label></p>
        <p><label>Webhook secret<br><input class="form-control" name="webhook_secret" required></label></p>
        <p><label>Private key (the .pem file's text)<br><textarea class="form-control" name="pem" rows="8" required></textarea></label></p>
        <button type="submit" class="btn btn-primary">Save</button>
      </form>`);
}

export function savedPage(): string {
  return page("Saved", `      <h1 class="h2 mb-3">Saved to .env</h1>
      <p>Restart the app (<code>npm start</code>, or <code>docker compose restart</code>) and it receives webhooks.</p>`);
}

export function messagePage(title: string, message: string): string {
  return page(title, `      <h1 class="h2 mb-3">${escapeHtml(title)}</h1>\n      <p>${escapeHtml(message)}</p>`);
}
