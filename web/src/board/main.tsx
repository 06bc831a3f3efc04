import { render } from 'preact';

render(<main><h1>board</h1></main>, document.getElementById('app')!);
