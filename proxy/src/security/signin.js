// Hands the ktop-web frame that opened this window its credential, then closes. The target
// origin is this page's own, so a window of any other origin never receives it. A file, not
// inline, because the Content-Security-Policy allows no inline script.
const credential = document.querySelector('meta[name="ktop-web-credential"]')?.content;
if (credential && window.opener) {
  window.opener.postMessage({ ktopWebCredential: credential }, location.origin);
  window.close();
} else {
  document.getElementById('signin').textContent =
    'Open this from the "Sign in to your ktop-web" button of an embedded ktop-web.';
}
