import { mount } from 'svelte';
// First: the page's language is chosen (and <html lang> set) before anything draws a text.
import './i18n/language.svelte.ts';
import App from './App.svelte';
import './styles/global.css';

mount(App, { target: document.getElementById('app')! });
