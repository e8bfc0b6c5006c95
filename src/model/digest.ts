/**
 * What a digest says to one subscriber: the changes that reach what they
 * follow, and how each reaches it.
 */
import type { Subscriber } from './subscription.js';

export type DigestChangeKind = 'added' | 'removed' | 'modified' | 'renumbered' | 'moved' | 'became-削除';

export interface DigestPublication {
  id: string;
  title: string;
  edition: number | null;
  pdfUrl: string;
  htmlUrl: string;
}

export interface DigestChange {
  instrument: string;
  instrumentName: string;
  id: string;
  oldId: string | null;
  cite: string;
  kind: DigestChangeKind;
  editorial: boolean;
  /** When the change takes effect: the newer version's effective date. */
  effective: string;
  redline: { op: 'equal' | 'insert' | 'delete'; text: string }[];
  numbers: { before: string; after: string; control: 'wider' | 'narrower' | null }[];
  url: string;
  publications: DigestPublication[];
}

export interface Match {
  change: DigestChange;
  /** How it reaches the subscriber: the followed entry, and the provision it went through when not direct. */
  follows: string;
  via: string | null;
}

export interface SubscriberDigest {
  subscriber: Subscriber;
  now: Match[];
  coming: { date: string; matches: Match[] }[];
  editorial: Match[];
}

