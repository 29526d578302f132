/// <reference lib="dom" />
/** Entry of the console's bundle (built by ../bundle.ts). */
import { h, render } from 'preact';
import { App } from './app';

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(h(App, null), root);
}
