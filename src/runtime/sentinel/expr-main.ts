// The code inside every generated outbound `expr`: the mapping core, nothing else.
export { mapDoc } from '../../core/map-doc';
