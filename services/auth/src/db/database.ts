/** Row types of the `auth` schema, matching migrations/sql/auth; kysely queries use `auth.<table>`. */
export interface Database {}
