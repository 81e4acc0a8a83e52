/** Row types of the `collab` schema, matching migrations/sql/collab; kysely queries use `collab.<table>`. */
export interface Database {}
