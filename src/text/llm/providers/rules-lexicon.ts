import type { MotivationCategory } from '../schema.js';

/**
 * Cue lexicon of the rule-based extractor: each entry maps cue words to one motivation and its §E.1 category.
 * A cue ending in `*` matches any word starting with it; multi-word cues match as phrases. Entries are
 * ordered so that, on equal support, the more specific motivation ranks first (ties break by this order).
 * Coverage aims at the project's domains: restaurants and businesses (Yelp), books, games, beauty products.
 */
export interface LexiconEntry {
  category: MotivationCategory;
  motivation: string;
  cues: string[];
}

export const RULES_LEXICON: readonly LexiconEntry[] = [
  { category: 'value', motivation: 'good value for the price', cues: ['price*', 'cheap*', 'affordable', 'inexpensive', 'value', 'worth', 'deal', 'deals', 'bargain*', 'discount*', 'on sale', 'budget', 'expensive', 'pricey', 'overpriced', 'money', 'cost*', 'coupon*', 'happy hour'] },
  { category: 'value', motivation: 'generous quantity that lasts', cues: ['portion*', 'generous', 'huge', 'plenty', 'lasts', 'last long', 'lasted', 'a little goes a long way', 'large size', 'refill*', 'amount'] },
  { category: 'quality', motivation: 'high quality and craftsmanship', cues: ['quality', 'well made', 'well-made', 'craft*', 'premium', 'fresh', 'excellent', 'top notch', 'high end', 'high-end', 'professional', 'best', 'superior', 'perfect*'] },
  { category: 'quality', motivation: 'reliable, consistent performance', cues: ['reliab*', 'durable', 'sturdy', 'consistent*', 'long-lasting', 'long lasting', 'dependable', 'broke', 'leak*', 'defective', 'holds up'] },
  { category: 'quality', motivation: 'skilled, attentive service', cues: ['service', 'staff', 'friendly', 'attentive', 'knowledgeable', 'server', 'servers', 'waiter*', 'waitress*', 'bartender*', 'courteous', 'customer service', 'owner', 'manager', 'mgr'] },
  { category: 'quality', motivation: 'well-crafted writing and story', cues: ['well written', 'well-written', 'writing', 'writer', 'author', 'prose', 'narrat*', 'editing'] },
  { category: 'quality', motivation: 'safe, natural ingredients', cues: ['natural', 'organic', 'ingredient*', 'gentle', 'sensitive', 'chemical*', 'paraben*', 'fragrance-free', 'alcohol', 'non-toxic', 'irritat*'] },
  { category: 'functional', motivation: 'skin and hair care results', cues: ['moistur*', 'hydrat*', 'dry skin', 'acne', 'wrinkle*', 'skin', 'hair', 'frizz*', 'soft', 'smooth*', 'shine', 'complexion', 'lotion', 'shampoo', 'conditioner', 'cleans*', 'dry mouth', 'teeth', 'gums'] },
  { category: 'functional', motivation: 'solves a concrete need effectively', cues: ['works', 'worked', 'effective*', 'does the job', 'did the job', 'results', 'helps', 'helped', 'needed', 'solution', 'fixed', 'use it for', 'useful'] },
  { category: 'functional', motivation: 'learning useful information or skills', cues: ['learn*', 'informative', 'practical', 'tips', 'guide', 'reference', 'insight*', 'educational', 'how-to', 'advice'] },
  { category: 'hedonic', motivation: 'enjoys great taste and flavor', cues: ['delicious', 'tasty', 'flavor*', 'flavour*', 'yummy', 'taste*', 'tasting', 'savory', 'sweet', 'spicy', 'mouthwatering'] },
  { category: 'hedonic', motivation: 'enjoys a pleasant scent', cues: ['smell*', 'scent*', 'fragrance', 'fragrant', 'aroma*', 'perfume*'] },
  { category: 'hedonic', motivation: 'engaging, immersive gameplay', cues: ['gameplay', 'graphics', 'soundtrack', 'levels', 'puzzle*', 'combat', 'mechanics', 'replay*', 'addictive', 'immersive'] },
  { category: 'hedonic', motivation: 'gripping stories and characters', cues: ['story', 'stories', 'plot', 'character*', 'page turner', 'page-turner', 'romance', 'romantic', 'thrill*', 'suspense*', 'mystery', 'fantasy'] },
  { category: 'hedonic', motivation: 'seeks fun and enjoyment', cues: ['fun', 'enjoy*', 'entertaining', 'love', 'loved', 'loves', 'amazing', 'awesome', 'exciting', 'great time', 'pleasure', 'beautiful*'] },
  { category: 'social', motivation: 'shares the experience with friends and family', cues: ['friends', 'friend', 'family', 'kids', 'kid friendly', 'husband', 'wife', 'daughter', 'son', 'together', 'group', 'coworker*', 'co-worker*', 'guests', 'date', 'mom', 'dad', 'boyfriend', 'girlfriend'] },
  { category: 'social', motivation: 'gives it as a gift', cues: ['gift*', 'present for', 'bought this for', 'bought it for', 'stocking stuffer'] },
  { category: 'social', motivation: 'plays or connects with others', cues: ['multiplayer', 'co-op', 'coop', 'online play', 'community', 'social*', 'socializ*', 'meet up', 'crowd'] },
  { category: 'social', motivation: 'follows recommendations and popularity', cues: ['recommend*', 'popular', 'everyone', 'word of mouth', 'hype*', 'best seller', 'bestseller'] },
  { category: 'occasion', motivation: 'a meal at a particular time of day', cues: ['breakfast', 'brunch', 'lunch', 'dinner', 'late night', 'after work', 'sunday', 'saturday', 'friday', 'weekend*'] },
  { category: 'occasion', motivation: 'a special event or celebration', cues: ['wedding', 'birthday', 'party', 'parties', 'anniversary', 'celebrat*', 'holiday*', 'christmas', 'graduation', 'event*'] },
  { category: 'occasion', motivation: 'travel or seasonal use', cues: ['vacation', 'trip', 'travel*', 'summer', 'winter', 'season*', 'beach', 'tourist*', 'in town'] },
  { category: 'emotional', motivation: 'comfort, relaxation and atmosphere', cues: ['relax*', 'comfort*', 'cozy', 'calm*', 'sooth*', 'peaceful', 'mellow', 'pamper*', 'atmosphere', 'ambiance', 'ambience', 'vibe*', 'chill'] },
  { category: 'emotional', motivation: 'nostalgia and emotional connection', cues: ['nostalgi*', 'memories', 'memory', 'remind*', 'childhood', 'heartwarming', 'emotional', 'moving', 'tears', 'feel good', 'feel-good'] },
  { category: 'emotional', motivation: 'feels confident and attractive', cues: ['confident', 'confidence', 'compliment*', 'look younger', 'glow*', 'pretty', 'gorgeous'] },
  { category: 'identity', motivation: 'loyal fan of a brand, author or series', cues: ['fan', 'fans', 'favorite', 'favourite', 'series', 'sequel', 'brand', 'loyal', 'always buy', 'repurchase', 'again and again', 'regular*', 'go-to'] },
  { category: 'identity', motivation: 'lives by personal values and diet', cues: ['vegan', 'vegetarian', 'gluten*', 'cruelty-free', 'cruelty free', 'eco*', 'sustainab*', 'local*', 'faith', 'christian', 'healthy', 'health'] },
  { category: 'identity', motivation: 'expresses personal style', cues: ['style', 'stylish', 'trendy', 'fashion*', 'classy', 'upscale', 'elegant', 'chic', 'hip'] },
  { category: 'novelty', motivation: 'tries something new and different', cues: ['new', 'try', 'tried', 'first time', 'different', 'unique', 'curious', 'discover*', 'explor*', 'interesting', 'innovative', 'original', 'unusual', 'variety', 'creative'] },
  { category: 'convenience', motivation: 'convenient location', cues: ['location', 'located', 'near', 'nearby', 'close to', 'closeby', 'parking', 'downtown', 'neighborhood', 'walking distance', 'on the way'] },
  { category: 'convenience', motivation: 'fast and easy to use or get', cues: ['fast', 'quick*', 'easy', 'easily', 'simple', 'convenien*', 'delivery', 'takeout', 'take out', 'drive thru', 'drive-thru', 'shipping', 'shipped', 'portable', 'travel size', 'no wait', 'wait'] },
];
