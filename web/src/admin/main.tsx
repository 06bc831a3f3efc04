import { render } from 'preact';

render(<main><h1>admin</h1></main>, document.getElementById('app')!);
