// The classifier both security-check attacks use: the K nearest training samples by squared distance vote,
// a nearer sample's vote weighing a little more so that ties go to it.
export interface LabelledSample<L> {
  features: Float32Array;
  label: L;
}

export function classifyByNearest<L>(training: readonly LabelledSample<L>[], features: Float32Array, k: number): L | undefined {
  const nearest: { distance: number; label: L }[] = [];
  for (const sample of training) {
    let distance = 0;
    for (let i = 0; i < features.length; i++) distance += ((features[i] as number) - (sample.features[i] as number)) ** 2;
    if (nearest.length < k || distance < (nearest[nearest.length - 1] as { distance: number }).distance) {
      nearest.push({ distance, label: sample.label });
      nearest.sort((a, b) => a.distance - b.distance);
      if (nearest.length > k) nearest.pop();
    }
  }
  const votes = new Map<L, number>();
  for (const [rank, n] of nearest.entries()) votes.set(n.label, (votes.get(n.label) ?? 0) + 1 + (k - rank) * 0.01);
  return [...votes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}
