/** The analytics table's name, shared by its store modules. */
import { tableName } from '@relay/core/ddb'

export const table = () => tableName('analytics', 'main')
