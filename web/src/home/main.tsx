import { render } from 'preact';

render(<main><h1>home</h1></main>, document.getElementById('app')!);
