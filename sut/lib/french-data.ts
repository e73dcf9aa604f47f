/**
 * Deterministic French test data: person i of seed s is always the same person, whichever service asks,
 * so each department seeds its own share without exchanging rows. Pure (no clock, no global randomness).
 */
import { createHash } from 'node:crypto';
import { seededRandom } from '../../lib/random.js';
import { ibanMod97, isValidIban, normalizeName } from '../../lib/french-ids.js';

export { ibanMod97, isValidIban, normalizeName };

const LAST_NAMES = ['MARTIN', 'BERNARD', 'THOMAS', 'PETIT', 'ROBERT', 'RICHARD', 'DURAND', 'DUBOIS', 'MOREAU', 'LAURENT', 'SIMON', 'MICHEL', 'LEFEBVRE', 'LEROY', 'ROUX', 'DAVID', 'BERTRAND', 'MOREL', 'FOURNIER', 'GIRARD', 'BONNET', 'DUPONT', 'LAMBERT', 'FONTAINE', 'ROUSSEAU', 'VINCENT', 'MULLER', 'LEFÈVRE', 'FAURE', 'ANDRÉ', 'MERCIER', 'BLANC', 'GUÉRIN', 'BOYER', 'GARNIER', 'CHEVALIER', 'FRANÇOIS', 'LEGRAND', 'GAUTHIER', 'GARCIA', 'PERRIN', 'ROBIN', 'CLÉMENT', 'MORIN', 'NICOLAS', 'HENRY', 'ROUSSEL', 'MATHIEU', 'GAUTIER', 'MASSON', 'MARCHAND', 'DUVAL', 'DENIS', 'DUMONT', 'MARIE', 'LEMAIRE', 'NOËL', 'MEYER', 'DUFOUR', 'MEUNIER', 'BRUN', 'BLANCHARD', 'GIRAUD', 'JOLY', 'RIVIÈRE', 'LUCAS', 'BRUNET', 'GAILLARD', 'BARBIER', 'ARNAUD', 'MARTINEZ', 'GÉRARD', 'ROCHE', 'RENARD', 'SCHMITT', 'ROY', 'LEROUX', 'COLIN', 'VIDAL', 'CARON', 'PICARD', 'ROGER', 'FABRE', 'AUBERT', 'LEMOINE', 'RENAUD', 'DUMAS', 'LACROIX', 'OLIVIER', 'PHILIPPE', 'BOURGEOIS', 'PIERRE', 'BENOÎT', 'REY', 'LECLERC', 'PAYET', 'ROLLAND', 'LECLERCQ', 'GUILLAUME', 'LECOMTE'];
const FEMALE_FIRST = ['Marie', 'Nathalie', 'Isabelle', 'Sylvie', 'Catherine', 'Françoise', 'Martine', 'Christine', 'Monique', 'Valérie', 'Sophie', 'Céline', 'Chantal', 'Sandrine', 'Stéphanie', 'Véronique', 'Nicole', 'Camille', 'Léa', 'Manon', 'Chloé', 'Emma', 'Inès', 'Jade', 'Louise', 'Juliette', 'Anaïs', 'Élodie', 'Aurélie', 'Hélène', 'Brigitte', 'Julie', 'Laura', 'Sarah', 'Pauline', 'Mathilde', 'Clara', 'Océane', 'Margaux', 'Agnès', 'Danielle', 'Corinne', 'Patricia', 'Émilie', 'Lucie', 'Charlotte', 'Alice', 'Zoé', 'Maëlle', 'Noémie'];
const MALE_FIRST = ['Jean', 'Philippe', 'Michel', 'Alain', 'Patrick', 'Nicolas', 'Christophe', 'Pierre', 'Christian', 'Éric', 'Frédéric', 'Laurent', 'Stéphane', 'David', 'Pascal', 'Daniel', 'Sébastien', 'Julien', 'Thomas', 'Olivier', 'Bernard', 'Thierry', 'Vincent', 'François', 'Jérôme', 'Lucas', 'Hugo', 'Louis', 'Gabriel', 'Arthur', 'Raphaël', 'Jules', 'Adam', 'Nathan', 'Théo', 'Mathis', 'Antoine', 'Maxime', 'Alexandre', 'Quentin', 'Romain', 'Guillaume', 'Benoît', 'Gérard', 'René', 'Yves', 'Bruno', 'Didier', 'Hervé', 'Cédric'];
const CITIES: readonly (readonly [string, string])[] = [['75011', 'Paris'], ['75015', 'Paris'], ['13008', 'Marseille'], ['69003', 'Lyon'], ['31000', 'Toulouse'], ['06000', 'Nice'], ['44000', 'Nantes'], ['67000', 'Strasbourg'], ['34000', 'Montpellier'], ['33000', 'Bordeaux'], ['59000', 'Lille'], ['35000', 'Rennes'], ['51100', 'Reims'], ['76600', 'Le Havre'], ['42000', 'Saint-Étienne'], ['83000', 'Toulon'], ['38000', 'Grenoble'], ['21000', 'Dijon'], ['49000', 'Angers'], ['30000', 'Nîmes'], ['63000', 'Clermont-Ferrand'], ['72000', 'Le Mans'], ['29200', 'Brest'], ['37000', 'Tours'], ['87000', 'Limoges'], ['80000', 'Amiens'], ['66000', 'Perpignan'], ['57000', 'Metz'], ['25000', 'Besançon'], ['45000', 'Orléans'], ['14000', 'Caen'], ['68100', 'Mulhouse'], ['76000', 'Rouen'], ['54000', 'Nancy'], ['86000', 'Poitiers'], ['64000', 'Pau'], ['17000', 'La Rochelle'], ['56100', 'Lorient'], ['79000', 'Niort'], ['97400', 'Saint-Denis']];
const DOMAINS = ['orange.fr', 'free.fr', 'gmail.com', 'laposte.net', 'sfr.fr', 'wanadoo.fr', 'yahoo.fr', 'hotmail.fr', 'outlook.fr', 'bbox.fr'];
const PROFESSIONS = ['employé(e) administratif(ve)', 'enseignant(e)', 'infirmier(ère)', 'agriculteur(rice)', 'artisan', 'commerçant(e)', 'cadre', 'ingénieur(e)', 'ouvrier(ère)', 'retraité(e)', 'étudiant(e)', 'profession libérale', 'fonctionnaire', 'chauffeur', 'sans emploi'];
const ILLNESSES = ['asthme', 'diabète de type 2', 'hypertension', 'lombalgie chronique', 'hypothyroïdie'];
const BANKS = ['30004', '30003', '20041', '10278', '10907', '11306', '30066', '18206', '17515', '14505'];
export const PRODUCTS = ['auto', 'habitation', 'santé', 'prévoyance', 'assurance-vie', 'moto', 'scolaire'];
const CALL_REASONS = ['question sur un contrat', 'déclaration de sinistre', "changement d'adresse", 'demande de devis', 'réclamation', 'question sur une facture', 'résiliation', 'attestation'];

/** The date every derived age and seeded timestamp is computed from, so that data never depends on today. */
export const REFERENCE_DATE = Date.UTC(2026, 0, 1);

/** The repository's seeded generator (lib/random.ts), under the name the seeding code uses. */
export const mulberry32 = seededRandom;

function digest(seed: string, kind: string, i: number): Buffer {
  return createHash('sha1').update(`${seed}:${kind}:${i}`).digest();
}

/** A version-4-shaped UUID derived from (seed, kind, i). */
export function deterministicUuid(seed: string, kind: string, i: number): string {
  const b = digest(seed, kind, i);
  b[6] = ((b[6] as number) & 0x0f) | 0x40;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const h = b.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** A French IBAN: bank, branch, account and RIB key, then ISO check digits. */
export function frenchIban(rand: () => number): string {
  const bank = BANKS[Math.floor(rand() * BANKS.length)] as string;
  const branch = String(Math.floor(rand() * 100000)).padStart(5, '0');
  const account = String(Math.floor(rand() * 1e11)).padStart(11, '0');
  // < 3.1e11: exact in a double, no BigInt needed.
  const ribKey = 97 - ((89 * Number(bank) + 15 * Number(branch) + 3 * Number(account)) % 97);
  const bban = `${bank}${branch}${account}${String(ribKey).padStart(2, '0')}`;
  const check = 98 - ibanMod97(`FR00${bban}`);
  return `FR${String(check).padStart(2, '0')}${bban}`;
}

export function ageCategory(birthDate: string, reference = REFERENCE_DATE): string {
  const age = Math.floor((reference - Date.parse(`${birthDate}T00:00:00Z`)) / (365.2425 * 86400000));
  if (age < 26) return '18-25';
  if (age < 41) return '26-40';
  if (age < 61) return '41-60';
  return '61+';
}

export interface SeedPerson {
  id: string;
  lastName: string;
  firstName: string;
  sex: 'F' | 'M';
  birthDate: string;
  email: string;
  phone: string;
  postcode: string;
  city: string;
  profession: string;
  iban: string;
  sepaMandateRef: string;
  tobacco: boolean;
  alcohol: 'none' | 'occasional' | 'regular';
  illnesses: string[];
  product: string;
  contractId: string;
  callReason: string;
}

const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;

export function personAt(seed: string, i: number): SeedPerson {
  const rand = mulberry32(digest(seed, 'person', i).readUInt32LE(0));
  const sex = rand() < 0.52 ? 'F' : 'M';
  const lastName = pick(rand, LAST_NAMES);
  const firstName = pick(rand, sex === 'F' ? FEMALE_FIRST : MALE_FIRST);
  const birth = new Date(Date.UTC(1940, 0, 1) + Math.floor(rand() * 66 * 365.25) * 86400000);
  const [postcode, city] = pick(rand, CITIES);
  const local = `${normalizeName(firstName)}.${normalizeName(lastName)}`.toLowerCase().replace(/ /g, '-');
  const phone = `0${rand() < 0.7 ? pick(rand, ['6', '7']) : pick(rand, ['1', '2', '3', '4', '5'])} ${Array.from({ length: 4 }, () => String(Math.floor(rand() * 100)).padStart(2, '0')).join(' ')}`;
  const illnesses = ILLNESSES.filter(() => rand() < 0.08);
  const a = rand();
  return {
    id: deterministicUuid(seed, 'person', i),
    lastName,
    firstName,
    sex,
    birthDate: birth.toISOString().slice(0, 10),
    email: `${local}${i}@${pick(rand, DOMAINS)}`,
    phone,
    postcode,
    city,
    profession: pick(rand, PROFESSIONS),
    iban: frenchIban(rand),
    sepaMandateRef: `LAE-SEPA-${String(i).padStart(8, '0')}`,
    tobacco: rand() < 0.25,
    alcohol: a < 0.55 ? 'none' : a < 0.92 ? 'occasional' : 'regular',
    illnesses,
    product: pick(rand, PRODUCTS),
    contractId: deterministicUuid(seed, 'contract', i),
    callReason: pick(rand, CALL_REASONS),
  };
}

export function callReasons(): readonly string[] {
  return CALL_REASONS;
}
