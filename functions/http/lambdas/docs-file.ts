/** The name of the rendered OpenAPI document beside the docs function's bundle. */
export const OPENAPI_FILE = 'openapi.json';
