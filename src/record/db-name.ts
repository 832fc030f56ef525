// The record database's name on its own, so the lobby can look for the database without loading Dexie.
export const RECORD_DB_NAME = 'xr-consult-record'
