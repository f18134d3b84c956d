// A page an Amplify web app could be: signs in and chats against the sandbox, from a real browser.
// Bundled with esbuild by tests/sandbox/test_sandbox_browser.py; reads /config.json from the page's server and
// POSTs what happened to /report (the test's only view of the page).
import { Amplify } from 'aws-amplify';
import { signIn } from 'aws-amplify/auth';
import { generateClient } from 'aws-amplify/data';

const config = await (await fetch('/config.json')).json();
const report = (body) => fetch('/report', { method: 'POST', body: JSON.stringify(body) });
const show = (text) => { document.getElementById('answer').textContent = text; };

try {
  Amplify.configure(config.outputs);
  // The one change for the sandbox: Cognito calls go to the local pool.
  Amplify.configure({ ...Amplify.getConfig(), Auth: { Cognito: { ...Amplify.getConfig().Auth.Cognito, userPoolEndpoint: config.endpoints.cognito } } });
  const signedIn = await signIn({ username: config.user.email, password: config.user.password });
  const client = generateClient();
  const { data: chat } = await client.conversations.chat.create({ name: 'Browser chat' });
  const parts = [];
  const done = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no streamed answer within 20 s')), 20000);
    chat.onStreamEvent({
      next: (event) => {
        if (event.text) { parts[event.contentBlockDeltaIndex] = event.text; show(parts.join('')); }
        if (event.stopReason) { clearTimeout(timer); resolve(event.stopReason); }
      },
      error: (error) => { clearTimeout(timer); reject(new Error(JSON.stringify(error))); },
    });
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  await chat.sendMessage('Hello from the browser');
  const stopReason = await done;
  await report({ ok: true, isSignedIn: signedIn.isSignedIn, stopReason, parts: parts.length, text: parts.join(''),
    shown: document.getElementById('answer').textContent, secureContext: window.isSecureContext });
} catch (error) {
  await report({ ok: false, error: String(error?.stack ?? error) });
}
