/**
 * Generated local parts: adjective-noun-number, readable aloud and over the phone, drawn from a
 * space of about 125 × 125 × 1,000,000 ≈ 2^33.8 (DESIGN: at least 2^32) with a CSPRNG, so an address
 * cannot be guessed from the previous one.
 */
import { randomInt } from 'node:crypto';

const ADJECTIVES = (
  'able amber ample brave breezy bright brisk calm candid clever cosmic crisp curly daring dapper ' +
  'deft eager early easy epic fair fancy fast fierce fine fluffy fond frank fresh gentle giddy ' +
  'glad golden grand happy hardy hasty hazy hearty honest humble icy ideal jolly jovial keen kind ' +
  'lively lucky lunar lush mellow merry mighty misty modest noble nimble novel olive opal patient ' +
  'peppy perky plucky polite proud quick quiet rapid ready regal rosy royal rustic sandy savvy ' +
  'serene sharp shiny silent silver simple sleek smart snowy snug solar solid sonic spry steady ' +
  'stellar stoic sturdy sunny super swift tidy timely tiny tranquil trusty upbeat urban valiant ' +
  'vast velvet vivid warm wavy wise witty zany zesty zippy agile azure bold cheery cozy dreamy ' +
  'dusty elegant faithful frosty'
).split(' ');

const NOUNS = (
  'badger beacon bear beaver bison breeze brook canyon cedar cloud comet condor coral cougar crane ' +
  'creek cricket dolphin dove eagle ember falcon fern finch fjord forest fox gecko glacier harbor ' +
  'hawk heron island jaguar kestrel koala lagoon lake lark lemur leopard lily lion lotus lynx ' +
  'maple marlin meadow meteor mink moose moth nebula newt oak ocean orca osprey otter owl panda ' +
  'panther parrot pebble pelican penguin pine planet plover pond puffin quail quartz rabbit raven ' +
  'reef ridge river robin salmon sparrow spruce squid star stone stork summit swan thistle tiger ' +
  'topaz trout tulip tundra turtle valley violet walrus willow wolf wren yak zebra acorn aspen ' +
  'birch bluff cobalt delta dune garnet grove jasper kelp mesa mist orchid prairie quasar rapids ' +
  'sequoia sierra tern'
).split(' ');

/** a fresh random local part such as `brave-otter-482113`. */
export function randomLocalPart(): string {
  const adjective = ADJECTIVES[randomInt(ADJECTIVES.length)]!;
  const noun = NOUNS[randomInt(NOUNS.length)]!;
  return `${adjective}-${noun}-${randomInt(1_000_000)}`;
}

/** the size of the space, for the test that pins DESIGN's 2^32 floor. */
export const LOCAL_PART_SPACE = ADJECTIVES.length * NOUNS.length * 1_000_000;
export const WORD_COUNTS = { adjectives: new Set(ADJECTIVES).size, nouns: new Set(NOUNS).size };
