/*
 * Grants against unmapping, ending and destruction (core/grant.c, core/domain.c
 * domain_free_memory, core/frame.c). Domain G grants its frame F to domain M
 * twice (two grant references, as grant_offer allows); M maps and unmaps them
 * in its two grant-window slots; G ends grants and re-offers them, and G or M
 * may be destroyed at any time; domain N allocates frames. Each hypercall runs
 * under the core lock (one atomic step here).
 *
 * Checked: while any slot maps F, F is not free and not N's (a frame is never
 * reused while mapped), and a grant stays active while it is mapped.
 *
 * Broken twins (spin -D...), each removes one rule and must fail:
 *   NO_BUSY_CHECK   grant_end ends a grant that is still mapped (-EBUSY removed)
 *   NO_IN_USE_CHECK the destroyed granter's memory is freed whole, mapped
 *                   frames included (domain_free_memory's grant_frame_in_use)
 *   NO_SHARED_CHECK the last unmap of one grant frees F although the other
 *                   grant of F is still mapped (slot_release's grant_frame_in_use)
 *   UNLOCKED_MAP    grant_map checks the grant, drops the lock, then maps
 */
#define NREF  2
#define NSLOT 2
#define STEPS 4 /* hypercalls each of G and M makes (bounds the search) */
mtype = { OWNED_G, FREE, OWNED_N };

mtype frame = OWNED_G;
bool g_dead, m_dead;
/* G's grant entries, all of frame F. */
bool live[NREF];
byte gen[NREF];
byte maps[NREF];
/* M's grant-window slots: which reference (entry and generation) each maps. */
bool used[NSLOT];
byte s_ref[NSLOT];
byte s_gen[NSLOT];
bit lock;

inline acquire() { atomic { lock == 0 -> lock = 1 } }
inline release() { lock = 0 }

/* grant_frame_in_use(G, F): some grant of F is mapped. */
#define IN_USE (maps[0] > 0 || maps[1] > 0)

/* slot_release(M, s): the last mapping of a dead granter's grant frees the frame. */
inline slot_release(s)
{
	i = s_ref[s];
	used[s] = false;
	assert(maps[i] > 0);
	maps[i]--;
	if
	:: maps[i] == 0 && g_dead ->
		live[i] = false;
#ifdef NO_SHARED_CHECK
		if :: frame == OWNED_G -> frame = FREE :: else fi
#else
		if :: !IN_USE && frame == OWNED_G -> frame = FREE :: else fi
#endif
	:: else
	fi
}

active proctype granter()
{
	byte i, steps;
	do
	:: steps == STEPS -> break
	:: steps < STEPS -> steps++;
	   acquire(); /* grant_offer: an entry neither active nor mapped, a new generation */
		if
		:: !g_dead -> i = 0
		:: !g_dead -> i = 1
		:: else -> release(); break
		fi;
		if
		:: !live[i] && maps[i] == 0 -> gen[i] = (gen[i] % 3) + 1; live[i] = true
		:: else
		fi;
		release()
	:: steps < STEPS -> steps++;
	   acquire(); /* grant_end */
		if
		:: !g_dead -> i = 0
		:: !g_dead -> i = 1
		:: else -> release(); break
		fi;
		if
#ifdef NO_BUSY_CHECK
		:: live[i] -> live[i] = false
#else
		:: live[i] && maps[i] == 0 -> live[i] = false
#endif
		:: else
		fi;
		release()
	:: acquire(); /* domain_destroy(G) */
		if
		:: !g_dead ->
			g_dead = true;
			/* grant_domain_destroy: unmapped grants end, mapped ones stay */
			if :: maps[0] == 0 -> live[0] = false :: else fi;
			if :: maps[1] == 0 -> live[1] = false :: else fi;
			/* domain_free_memory */
#ifdef NO_IN_USE_CHECK
			frame = FREE
#else
			if :: !IN_USE -> frame = FREE :: else fi
#endif
		:: else
		fi;
		release();
		break
	od
}

active proctype mapper()
{
	byte i, s, g, steps;
	do
	:: steps == STEPS -> break
	:: steps < STEPS && !m_dead -> steps++; /* grant_map(G, ref, slot) */
		if :: s = 0 :: s = 1 fi;
		if :: i = 0 :: i = 1 fi;
		acquire();
		g = gen[i]; /* the reference M learnt from G */
		if
		:: !m_dead && !g_dead && live[i] && g != 0 && !used[s] &&
		   !(used[1 - s] && s_ref[1 - s] == i && s_gen[1 - s] == g) ->
#ifdef UNLOCKED_MAP
			release();
			acquire();
			if :: m_dead -> release(); break :: else fi;
#endif
			used[s] = true; s_ref[s] = i; s_gen[s] = g;
			maps[i]++
		:: else
		fi;
		release()
	:: steps < STEPS -> steps++;
	   acquire(); /* grant_unmap(slot) */
		if :: s = 0 :: s = 1 fi;
		if
		:: !m_dead && used[s] -> slot_release(s)
		:: else
		fi;
		release()
	:: acquire(); /* domain_destroy(M): grant_domain_destroy unmaps every slot */
		m_dead = true;
		if :: used[0] -> slot_release(0) :: else fi;
		if :: used[1] -> slot_release(1) :: else fi;
		release();
		break
	od
}

/* Another domain's frame_alloc takes whatever is free. */
active proctype other()
{
	acquire();
	if :: frame == FREE -> frame = OWNED_N :: else fi;
	release()
}

/* The invariants, checked in every state: the monitor fires as soon as one breaks. */
#define MAPPED_BUT_NOT_OURS ((used[0] || used[1]) && frame != OWNED_G)
#define MAPPED_BUT_ENDED (maps[0] > 0 && !live[0] || maps[1] > 0 && !live[1])
active proctype monitor()
{
end:	atomic { MAPPED_BUT_NOT_OURS || MAPPED_BUT_ENDED -> assert(false) }
}
