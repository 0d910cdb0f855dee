package dev.retrain.models.committee;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The members of a committee (oldest first) and their weights, which sum to 1. Immutable:
 * each change returns the new state.
 * <ul>
 * <li>{@link #admit}: a new version enters. Under {@code hedge} it enters with the mean
 * of the current weights (1 for the first member), and the weights are normalised again;
 * under {@code best-recent} it takes all the weight until the next labelled period
 * (promotion has just judged it at least as good as the champion on the newest holdout).
 * When the committee then has more than {@code size} members, the oldest leaves and the
 * rest are normalised again.</li>
 * <li>{@link #update}: the labels of a period arrived; each member's loss on it
 * ({@link CommitteeLoss}, in [0, 1] for classification) moves the weights: hedge
 * {@code w_i <- w_i * exp(-eta * loss_i)} then normalised, and with a {@code share} alpha
 * above 0 (fixed share) {@code w_i <- (1 - alpha) * w_i + alpha / n} over the n members,
 * so none falls below {@code alpha / n} and a version whose concept comes back can win
 * its weight back; best-recent all the weight on the lowest loss (ties: the newest). No
 * retraining: only the weights change.</li>
 * <li>{@link #without}: a member leaves (the champion was rolled back away from it).</li>
 * </ul>
 */
public record CommitteeWeights(CommitteeSpec spec, List<Member> members) {

	/** A member: a version of the pipeline and its weight. */
	public record Member(int version, double weight) {
	}

	public CommitteeWeights {
		members = List.copyOf(members);
	}

	/** A committee with no member yet. */
	public static CommitteeWeights empty(CommitteeSpec spec) {
		return new CommitteeWeights(spec, List.of());
	}

	public boolean isEmpty() {
		return this.members.isEmpty();
	}

	/** The members' versions, oldest first. */
	public List<Integer> versions() {
		return this.members.stream().map(Member::version).toList();
	}

	/** The members' weights, in the order of {@link #versions()}. */
	public double[] weights() {
		return this.members.stream().mapToDouble(Member::weight).toArray();
	}

	/** The weight of a version, 0 when it is no member. */
	public double weightOf(int version) {
		return this.members.stream().filter(m -> m.version() == version).mapToDouble(Member::weight).sum();
	}

	/**
	 * The committee after {@code version} entered (a version already a member changes
	 * nothing).
	 */
	public CommitteeWeights admit(int version) {
		if (this.members.stream().anyMatch(m -> m.version() == version)) {
			return this;
		}
		List<Member> next = new ArrayList<>();
		if (this.spec.weighting() == CommitteeSpec.Weighting.BEST_RECENT) {
			this.members.forEach(m -> next.add(new Member(m.version(), 0.0)));
			next.add(new Member(version, 1.0));
		}
		else {
			next.addAll(this.members);
			double initial = this.members.isEmpty() ? 1.0
					: this.members.stream().mapToDouble(Member::weight).average().orElse(1.0);
			next.add(new Member(version, initial));
		}
		while (next.size() > this.spec.size()) {
			next.remove(0);
		}
		return new CommitteeWeights(this.spec, normalised(next));
	}

	/**
	 * The committee after {@code version} left (a rollback away from it): the others keep
	 * their weights, normalised again; under {@code best-recent}, if the leaving member
	 * had all the weight, the newest remaining member takes it. A version that is not a
	 * member changes nothing.
	 */
	public CommitteeWeights without(int version) {
		if (this.members.stream().noneMatch(m -> m.version() == version)) {
			return this;
		}
		List<Member> kept = new ArrayList<>(this.members.stream().filter(m -> m.version() != version).toList());
		if (kept.isEmpty()) {
			return new CommitteeWeights(this.spec, kept);
		}
		if (this.spec.weighting() == CommitteeSpec.Weighting.BEST_RECENT
				&& kept.stream().mapToDouble(Member::weight).sum() == 0) {
			Member newest = kept.remove(kept.size() - 1);
			kept.add(new Member(newest.version(), 1.0));
		}
		return new CommitteeWeights(this.spec, normalised(kept));
	}

	/**
	 * The same members under another spec (the pipeline file changed): past the new size
	 * the oldest leave, and under best-recent the newest member takes all the weight
	 * until the next labels; the weights are normalised again.
	 */
	public CommitteeWeights withSpec(CommitteeSpec next) {
		if (next.equals(this.spec)) {
			return this;
		}
		List<Member> kept = new ArrayList<>(
				this.members.subList(Math.max(0, this.members.size() - next.size()), this.members.size()));
		if (next.weighting() == CommitteeSpec.Weighting.BEST_RECENT && this.spec.weighting() != next.weighting()
				&& !kept.isEmpty()) {
			for (int i = 0; i < kept.size(); i++) {
				kept.set(i, new Member(kept.get(i).version(), (i == kept.size() - 1) ? 1.0 : 0.0));
			}
		}
		return new CommitteeWeights(next, kept.isEmpty() ? kept : normalised(kept));
	}

	/**
	 * The committee after a labelled period: {@code losses} holds each member's loss on
	 * it (every member must have one).
	 */
	public CommitteeWeights update(Map<Integer, Double> losses) {
		for (Member m : this.members) {
			Double loss = losses.get(m.version());
			if (loss == null || Double.isNaN(loss)) {
				throw new IllegalArgumentException("no loss for member v" + m.version() + " in " + losses);
			}
		}
		List<Member> next = new ArrayList<>();
		if (this.spec.weighting() == CommitteeSpec.Weighting.BEST_RECENT) {
			int best = -1;
			for (int i = 0; i < this.members.size(); i++) {
				if (best < 0
						|| losses.get(this.members.get(i).version()) <= losses.get(this.members.get(best).version())) {
					best = i;
				}
			}
			for (int i = 0; i < this.members.size(); i++) {
				next.add(new Member(this.members.get(i).version(), (i == best) ? 1.0 : 0.0));
			}
			return new CommitteeWeights(this.spec, next);
		}
		for (Member m : this.members) {
			next.add(new Member(m.version(), m.weight() * Math.exp(-this.spec.eta() * losses.get(m.version()))));
		}
		List<Member> hedged = normalised(next);
		double alpha = this.spec.share();
		if (alpha == 0) {
			return new CommitteeWeights(this.spec, hedged);
		}
		List<Member> shared = new ArrayList<>();
		double floor = alpha / hedged.size();
		for (Member m : hedged) {
			shared.add(new Member(m.version(), (1 - alpha) * m.weight() + floor));
		}
		return new CommitteeWeights(this.spec, shared);
	}

	/**
	 * Weights scaled to sum 1; if they all vanished (underflow), equal weights.
	 */
	private static List<Member> normalised(List<Member> members) {
		double sum = members.stream().mapToDouble(Member::weight).sum();
		List<Member> out = new ArrayList<>();
		for (Member m : members) {
			out.add(new Member(m.version(), (sum > 0) ? m.weight() / sum : 1.0 / members.size()));
		}
		return out;
	}

}
