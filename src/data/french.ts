/**
 * Replacement values for masked French personal data. Deliberately a different list from the reference
 * target's seeder (sut/lib/french-data.ts), so a masked name is rarely an original one; the maskers never
 * return the input itself either way. Pure data.
 */
export const MASK_LAST_NAMES = [
  'AUBRY', 'BAILLY', 'BARRÉ', 'BAUDRY', 'BESNARD', 'BLONDEL', 'BOUCHER', 'BOULANGER', 'BRETON', 'BRIAND', 'CARPENTIER', 'CHARPENTIER',
  'CHAUVIN', 'COLLET', 'CORDIER', 'COUSIN', 'DANIEL', 'DELAUNAY', 'DESCHAMPS', 'DEVAUX', 'DUBOSC', 'ÉTIENNE', 'FERRAND', 'FLEURY',
  'GAUDIN', 'GERMAIN', 'GILLET', 'GRONDIN', 'GUICHARD', 'GUYOT', 'HAMEL', 'HOARAU', 'HUBERT', 'HUET', 'JACOB', 'JOUBERT', 'JULIEN',
  'LAGARDE', 'LAMY', 'LANGLOIS', 'LEBLANC', 'LEBRUN', 'LECOQ', 'LEGER', 'LEJEUNE', 'LEMAÎTRE', 'LEROUX-PAGÈS', 'LESAGE', 'MAILLARD',
  'MALLET', 'MARÉCHAL', 'MARTEL', 'MILLET', 'MONNIER', 'NAVARRO', 'NOËLLE', "N'DIAYE", 'OLLIVIER', 'PARIS', 'PASQUIER', 'PELLETIER',
  'PERROT', 'POIRIER', 'PRÉVOST', 'RÉMY', 'RENAULT', 'RIVIÈRE-DUCLOS', 'ROBERT-HOUDIN', 'ROCHER', 'ROUSSET', 'SAUVAGE', 'TESSIER',
  'TEXIER', 'TOUSSAINT', 'VALLÉE', 'VASSEUR', 'VIGNERON', 'VOISIN', 'WEBER', 'ZIMMERMANN',
];
export const MASK_FIRST_NAMES = [
  'Adèle', 'Agathe', 'Albane', 'Amélie', 'Annabelle', 'Apolline', 'Bérénice', 'Capucine', 'Cécile', 'Clémence', 'Colette', 'Diane',
  'Éléonore', 'Elsa', 'Estelle', 'Fanny', 'Gaëlle', 'Héloïse', 'Irène', 'Josiane', 'Laure', 'Lise', 'Madeleine', 'Marthe', 'Mireille',
  'Odile', 'Ophélie', 'Rose', 'Solène', 'Yvette', 'Achille', 'Aimé', 'Aristide', 'Armand', 'Bastien', 'Baptiste', 'Célestin', 'Clovis',
  'Corentin', 'Damien', 'Edmond', 'Élie', 'Émile', 'Fabrice', 'Félix', 'Gaspard', 'Gilles', 'Gonzague', 'Hippolyte', 'Joël', 'Lionel',
  'Loïc', 'Marcel', 'Noé', 'Octave', 'Pascal-Marie', 'Régis', 'Sacha', 'Timothée', 'Valentin',
];
export const MASK_STREET_TYPES = ['rue', 'avenue', 'boulevard', 'allée', 'impasse', 'chemin', 'place', 'quai'];
export const MASK_STREET_NAMES = [
  'des Acacias', 'du Moulin', 'de la Gare', 'Victor-Hugo', 'des Lilas', 'du Château', 'Jean-Jaurès', 'de la République', 'des Écoles',
  'Pasteur', 'du Marché', 'des Tilleuls', 'de l’Église', 'Saint-Exupéry', 'des Peupliers', 'du Stade', 'de Verdun', 'Gambetta',
];
export const MASK_CITIES: readonly (readonly [string, string])[] = [
  ['01000', 'Bourg-en-Bresse'], ['02100', 'Saint-Quentin'], ['10000', 'Troyes'], ['12000', 'Rodez'], ['16000', 'Angoulême'],
  ['18000', 'Bourges'], ['22000', 'Saint-Brieuc'], ['24000', 'Périgueux'], ['26000', 'Valence'], ['28000', 'Chartres'],
  ['36000', 'Châteauroux'], ['40000', 'Mont-de-Marsan'], ['41000', 'Blois'], ['47000', 'Agen'], ['53000', 'Laval'],
  ['58000', 'Nevers'], ['60000', 'Beauvais'], ['62000', 'Arras'], ['65000', 'Tarbes'], ['71000', 'Mâcon'], ['73000', 'Chambéry'],
  ['81000', 'Albi'], ['84000', 'Avignon'], ['88000', 'Épinal'], ['89000', 'Auxerre'], ['97200', 'Fort-de-France'],
];
export const MASK_EMAIL_DOMAINS = ['example.fr', 'example.com', 'exemple.test', 'masque.invalid'];
/** Neutral words free text is rewritten with (no personal or health meaning). */
export const SCRUB_WORDS = [
  'dossier', 'suivi', 'demande', 'échange', 'courrier', 'pièce', 'rappel', 'contrat', 'client', 'service', 'traité', 'transmis', 'noté',
  'vérifié', 'information', 'document', 'relance', 'accord', 'réponse', 'question',
];
