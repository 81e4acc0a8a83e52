/** Row types of the `messaging` schema, matching migrations/sql/messaging; kysely queries use `messaging.<table>`. */
export interface Database {}
