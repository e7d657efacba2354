/* global document, location */
// A stand-in for the built console (test/console/serving.test.ts): it shows the
// client route it was opened at, and tries an inline script the CSP must block.
document.getElementById('route').textContent = location.pathname;
const inline = document.createElement('script');
inline.textContent = 'window.inlineRan = true;';
document.body.appendChild(inline);
