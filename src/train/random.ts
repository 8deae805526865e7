/** The seeded PRNG used for augmentation: the same mulberry32 the data layer splits with (one implementation). */
export { mulberry32 } from '../data/splits';
