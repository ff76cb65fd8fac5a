// Starts the app. Trunk normally does this in an inline <script>, which the server's
// Content-Security-Policy (script-src 'self') forbids; so this file does it instead, with the
// hashed file names Trunk writes into the page (see pattern_script in Trunk.toml).
const names = document.querySelector('meta[name="ktop-web-app"]').dataset;
const app = await import(names.js);
await app.default({ module_or_path: names.wasm });
