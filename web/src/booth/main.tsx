import { render } from 'preact';

render(<main><h1>booth</h1></main>, document.getElementById('app')!);
