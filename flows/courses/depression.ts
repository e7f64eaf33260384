import { ACTIVITY_MAX, PLAN_ANSWER_MAX } from '../../src/domain/homework/depression.ts';
import { buildFlow } from '../kit/build.ts';
import { COURSE_REMINDER, measurePoint } from '../kit/course.ts';
import {
  answerNumber,
  answerOf,
  answerText,
  askChoice,
  askNumber,
  askText,
  askTime,
  branch,
  end,
  endOfPart,
  type FlowContext,
  openPart,
  recordHomework,
  type Step,
  say,
} from '../kit/steps.ts';

/**
 * Behavioural activation in six parts (CLINICAL.md §5): the activity diary, the three kinds of activity
 * (routine, necessary, pleasant), ranking them from easy to hard, planning them into the week, reviewing
 * how it went, and a relapse plan. PHQ-9 and GAD-7 before parts 1, 3 and 5 and after part 6.
 */

/** At or below this mood (0-10) the course points to the therapist and the crisis numbers. */
const LOW_MOOD = 2;

const categories = (['routine', 'necessary', 'pleasant'] as const).map((value) => ({
  value,
  key: `depression.category.${value}`,
}));
const difficulties = (['easy', 'medium', 'hard'] as const).map((value) => ({
  value,
  key: `depression.difficulty.${value}`,
}));
const days = (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const).map((value) => ({
  value,
  key: `depression.day.${value}`,
}));
/** "One more?" at the end of a loop: yes goes back to `again`, no goes on (to `then`, or the next step). */
const oneMore = (again: string, then?: string) => [
  { value: 'yes', key: 'depression.more_yes', next: again },
  { value: 'no', key: 'depression.more_no', ...(then ? { next: then } : {}) },
];

/**
 * Plans activities into the week, one at a time, until the client says that is enough; then goes to
 * `then`. The first activity is asked with `firstKey`, every further one with a shorter question.
 */
function planLoop(prefix: string, firstKey: string, then: string): Step[] {
  return [
    askText(`${prefix}_plan_activity`, firstKey, { maxLength: ACTIVITY_MAX }),
    askChoice(`${prefix}_plan_category`, 'depression.list.ask_category', categories),
    askChoice(`${prefix}_plan_day`, 'depression.plan.ask_day', days),
    askTime(`${prefix}_plan_time`, 'depression.plan.ask_time'),
    recordHomework(`${prefix}_plan_record`, 'depression.activity_plan', (c) => ({
      // From the second round on, the activity was asked by `_plan_again`, reached only by "yes".
      activity: answerText(
        c.answers,
        answerOf(c.answers, `${prefix}_plan_more`) === 'yes'
          ? `${prefix}_plan_again`
          : `${prefix}_plan_activity`,
      ),
      category: answerOf(c.answers, `${prefix}_plan_category`),
      day: answerOf(c.answers, `${prefix}_plan_day`),
      time: answerOf(c.answers, `${prefix}_plan_time`),
    })),
    say(`${prefix}_plan_saved`, 'depression.plan.saved'),
    askChoice(`${prefix}_plan_more`, 'depression.plan.ask_more', oneMore(`${prefix}_plan_again`, then)),
    askText(`${prefix}_plan_again`, 'depression.plan.ask_next_activity', {
      maxLength: ACTIVITY_MAX,
      next: `${prefix}_plan_category`,
    }),
  ];
}

/** Asks how hard one of the activities from part 2 feels, naming it, and records the ranking. */
function rankListed(kind: 'routine' | 'necessary' | 'pleasant'): Step[] {
  const listed = `p2_${kind}_ask`;
  return [
    askChoice(`p3_rank_${kind}`, 'depression.p3.ask_rank', difficulties, {
      vars: (c) => ({ activity: answerText(c.answers, listed) }),
    }),
    recordHomework(`p3_rank_${kind}_record`, 'depression.activity_ranking', (c) => ({
      activity: answerText(c.answers, listed),
      category: kind,
      difficulty: answerOf(c.answers, `p3_rank_${kind}`),
    })),
  ];
}

const anyEasy = (c: FlowContext) =>
  ['p3_rank_routine', 'p3_rank_necessary', 'p3_rank_pleasant', 'p3_extra_difficulty'].some(
    (step) => answerOf(c.answers, step) === 'easy',
  );

const moodVars = (c: FlowContext) => ({
  before: answerNumber(c.answers, 'p5_mood_before'),
  after: answerNumber(c.answers, 'p5_mood_after'),
});

export const depressionCourse = buildFlow({
  id: 'depression',
  version: 1,
  reminder: COURSE_REMINDER,
  steps: [
    // Part 1: what you do and how you feel; the activity diary.
    openPart('p1_open', 1, 'depression.p1.open'),
    ...measurePoint('p1', {
      lead: ['depression.p1.measure_lead', 'questionnaire.intro'],
      thanks: 'depression.measure.thanks',
    }),
    say('p1_measured_next', 'depression.p1.intro'),
    say('p1_cycle', 'depression.p1.cycle', { image: 'depression/vicious-cycle' }),
    askChoice('p1_recognise', 'depression.p1.ask_recognise', [
      { value: 'yes', key: 'depression.p1.recognise_yes' },
      { value: 'some', key: 'depression.p1.recognise_some' },
      { value: 'no', key: 'depression.p1.recognise_no', next: 'p1_recognise_not' },
    ]),
    say('p1_recognise_reply', 'depression.p1.recognise_reply', { next: 'p1_method' }),
    say('p1_recognise_not', 'depression.p1.recognise_not'),
    say('p1_method', 'depression.p1.method'),
    askNumber('p1_mood', 'depression.p1.ask_mood', 0, 10, { record: 'depression.mood_rated' }),
    branch(
      'p1_mood_check',
      [{ when: (c) => answerNumber(c.answers, 'p1_mood') <= LOW_MOOD, next: 'p1_mood_low' }],
      {
        next: 'p1_mood_noted',
      },
    ),
    say('p1_mood_low', 'depression.mood_low'),
    say('p1_mood_noted', 'depression.p1.mood_noted'),
    say('p1_diary_intro', 'depression.p1.diary_intro', { image: 'depression/activity-diary' }),
    say('p1_diary_try', 'depression.p1.diary_try'),
    askChoice('p1_diary_period', 'depression.diary.ask_period', [
      { value: 'morning', key: 'depression.diary.period_morning' },
      { value: 'afternoon', key: 'depression.diary.period_afternoon' },
      { value: 'evening', key: 'depression.diary.period_evening' },
    ]),
    askText('p1_diary_activity', 'depression.diary.ask_activity', { maxLength: ACTIVITY_MAX }),
    askNumber('p1_diary_mood', 'depression.diary.ask_mood', 0, 10),
    askChoice('p1_diary_company', 'depression.diary.ask_company', [
      { value: 'alone', key: 'depression.diary.company_alone' },
      { value: 'with_others', key: 'depression.diary.company_with_others' },
    ]),
    recordHomework('p1_diary_record', 'depression.activity_diary', (c) => ({
      period: answerOf(c.answers, 'p1_diary_period'),
      activity: answerText(c.answers, 'p1_diary_activity'),
      mood: answerOf(c.answers, 'p1_diary_mood'),
      company: answerOf(c.answers, 'p1_diary_company'),
    })),
    say('p1_diary_saved', 'depression.diary.saved'),
    askChoice('p1_diary_more', 'depression.diary.ask_more', oneMore('p1_diary_period')),
    say('p1_diary_notice', 'depression.p1.diary_notice'),
    say('p1_homework', 'depression.p1.homework'),
    endOfPart('p1_end', 1, 'depression.p1.summary'),

    // Part 2: routine, necessary and pleasant activities; the activity list.
    openPart('p2_open', 2, 'depression.p2.open'),
    askChoice('p2_diary', 'depression.p2.ask_diary', [
      { value: 'most', key: 'depression.p2.diary_most', next: 'p2_diary_most' },
      { value: 'some', key: 'depression.p2.diary_some', next: 'p2_diary_some' },
      { value: 'none', key: 'depression.p2.diary_none', next: 'p2_diary_none' },
    ]),
    say('p2_diary_most', 'depression.p2.diary_most_reply', { next: 'p2_pattern' }),
    say('p2_diary_some', 'depression.p2.diary_some_reply', { next: 'p2_pattern' }),
    say('p2_diary_none', 'depression.p2.diary_none_reply', { next: 'p2_pattern' }),
    askChoice(
      'p2_pattern',
      'depression.p2.ask_pattern',
      [
        { value: 'others', key: 'depression.p2.pattern_others' },
        { value: 'outside', key: 'depression.p2.pattern_outside' },
        { value: 'done', key: 'depression.p2.pattern_done' },
        { value: 'unsure', key: 'depression.p2.pattern_unsure', next: 'p2_pattern_unsure' },
      ],
      { record: 'depression.mood_pattern_noticed' },
    ),
    say('p2_pattern_reply', 'depression.p2.pattern_reply', { next: 'p2_types' }),
    say('p2_pattern_unsure', 'depression.p2.pattern_unsure_reply'),
    say('p2_types', 'depression.p2.types', { image: 'depression/activity-types' }),
    say('p2_routine', 'depression.p2.routine'),
    askText('p2_routine_ask', 'depression.p2.ask_routine', { maxLength: ACTIVITY_MAX }),
    recordHomework('p2_routine_record', 'depression.activity_list', (c) => ({
      category: 'routine',
      activity: answerText(c.answers, 'p2_routine_ask'),
    })),
    say('p2_necessary', 'depression.p2.necessary'),
    askText('p2_necessary_ask', 'depression.p2.ask_necessary', { maxLength: ACTIVITY_MAX }),
    recordHomework('p2_necessary_record', 'depression.activity_list', (c) => ({
      category: 'necessary',
      activity: answerText(c.answers, 'p2_necessary_ask'),
    })),
    say('p2_pleasant', 'depression.p2.pleasant'),
    askText('p2_pleasant_ask', 'depression.p2.ask_pleasant', { maxLength: ACTIVITY_MAX }),
    recordHomework('p2_pleasant_record', 'depression.activity_list', (c) => ({
      category: 'pleasant',
      activity: answerText(c.answers, 'p2_pleasant_ask'),
    })),
    askChoice('p2_more', 'depression.p2.ask_more', oneMore('p2_extra_activity', 'p2_list_done')),
    askText('p2_extra_activity', 'depression.list.ask_activity', { maxLength: ACTIVITY_MAX }),
    askChoice('p2_extra_category', 'depression.list.ask_category', categories),
    recordHomework('p2_extra_record', 'depression.activity_list', (c) => ({
      category: answerOf(c.answers, 'p2_extra_category'),
      activity: answerText(c.answers, 'p2_extra_activity'),
    })),
    say('p2_extra_saved', 'depression.list.saved'),
    askChoice('p2_extra_more', 'depression.list.ask_more', oneMore('p2_extra_activity')),
    say('p2_list_done', 'depression.p2.list_done'),
    say('p2_homework', 'depression.p2.homework'),
    endOfPart('p2_end', 2, 'depression.p2.summary'),

    // Part 3: from easy to hard; ranking.
    openPart('p3_open', 3, 'depression.p3.open'),
    ...measurePoint('p3', { lead: ['depression.measure.lead'], thanks: 'depression.measure.thanks' }),
    say('p3_measured_next', 'depression.p3.intro', { image: 'depression/staircase' }),
    say('p3_rank_intro', 'depression.p3.rank_intro'),
    ...rankListed('routine'),
    ...rankListed('necessary'),
    ...rankListed('pleasant'),
    askChoice('p3_more', 'depression.p3.ask_more', oneMore('p3_extra_activity', 'p3_ranked')),
    askText('p3_extra_activity', 'depression.list.ask_activity', { maxLength: ACTIVITY_MAX }),
    askChoice('p3_extra_category', 'depression.list.ask_category', categories),
    askChoice('p3_extra_difficulty', 'depression.p3.ask_extra_difficulty', difficulties),
    recordHomework('p3_extra_record', 'depression.activity_ranking', (c) => ({
      activity: answerText(c.answers, 'p3_extra_activity'),
      category: answerOf(c.answers, 'p3_extra_category'),
      difficulty: answerOf(c.answers, 'p3_extra_difficulty'),
    })),
    say('p3_extra_saved', 'depression.list.saved'),
    askChoice('p3_extra_more', 'depression.list.ask_more', oneMore('p3_extra_activity')),
    branch('p3_ranked', [{ when: anyEasy, next: 'p3_easy_found' }], { next: 'p3_no_easy' }),
    say('p3_easy_found', 'depression.p3.easy_found', { next: 'p3_split' }),
    say('p3_no_easy', 'depression.p3.no_easy'),
    say('p3_split', 'depression.p3.split'),
    askText('p3_small_step', 'depression.p3.ask_small_step', { maxLength: ACTIVITY_MAX }),
    recordHomework('p3_small_step_record', 'depression.activity_ranking', (c) => ({
      activity: answerText(c.answers, 'p3_small_step'),
      difficulty: 'easy',
    })),
    say('p3_small_step_reply', 'depression.p3.small_step_reply'),
    say('p3_mix', 'depression.p3.mix'),
    say('p3_homework', 'depression.p3.homework'),
    endOfPart('p3_end', 3, 'depression.p3.summary'),

    // Part 4: a plan for the week.
    openPart('p4_open', 4, 'depression.p4.open'),
    say('p4_intro', 'depression.p4.intro', { image: 'depression/week-plan' }),
    say('p4_tips', 'depression.p4.tips'),
    ...planLoop('p4', 'depression.p4.ask_first_activity', 'p4_obstacle'),
    askChoice('p4_obstacle', 'depression.p4.ask_obstacle', [
      { value: 'energy', key: 'depression.p4.obstacle_energy', next: 'p4_tip_energy' },
      { value: 'forget', key: 'depression.p4.obstacle_forget', next: 'p4_tip_forget' },
      { value: 'time', key: 'depression.p4.obstacle_time', next: 'p4_tip_time' },
      { value: 'other', key: 'depression.p4.obstacle_other', next: 'p4_tip_other' },
    ]),
    say('p4_tip_energy', 'depression.p4.tip_energy', { next: 'p4_notice' }),
    say('p4_tip_forget', 'depression.p4.tip_forget', { next: 'p4_notice' }),
    say('p4_tip_time', 'depression.p4.tip_time', { next: 'p4_notice' }),
    say('p4_tip_other', 'depression.p4.tip_other', { next: 'p4_notice' }),
    say('p4_notice', 'depression.p4.notice'),
    say('p4_homework', 'depression.p4.homework'),
    endOfPart('p4_end', 4, 'depression.p4.summary'),

    // Part 5: how did it go; obstacles; the next step up.
    openPart('p5_open', 5, 'depression.p5.open'),
    ...measurePoint('p5', { lead: ['depression.measure.lead'], thanks: 'depression.measure.thanks' }),
    say('p5_measured_next', 'depression.p5.intro', { image: 'depression/growing-plant' }),
    askText('p5_review_activity', 'depression.p5.ask_review_activity', {
      maxLength: ACTIVITY_MAX,
      vars: (c) => ({ activity: answerText(c.answers, 'p4_plan_activity') }),
    }),
    askChoice('p5_review_done', 'depression.p5.ask_done', [
      { value: 'yes', key: 'depression.p5.done_yes' },
      { value: 'partly', key: 'depression.p5.done_partly' },
      { value: 'no', key: 'depression.p5.done_no', next: 'p5_obstacle' },
    ]),
    askNumber('p5_mood_before', 'depression.p5.ask_mood_before', 0, 10),
    askNumber('p5_mood_after', 'depression.p5.ask_mood_after', 0, 10),
    branch(
      'p5_mood_change',
      [
        {
          when: (c) => answerNumber(c.answers, 'p5_mood_after') > answerNumber(c.answers, 'p5_mood_before'),
          next: 'p5_mood_up',
        },
        {
          when: (c) => answerNumber(c.answers, 'p5_mood_after') < answerNumber(c.answers, 'p5_mood_before'),
          next: 'p5_mood_down',
        },
      ],
      { next: 'p5_mood_same' },
    ),
    say('p5_mood_up', 'depression.p5.mood_up', { vars: moodVars, next: 'p5_review_record' }),
    say('p5_mood_down', 'depression.p5.mood_down', { next: 'p5_review_record' }),
    say('p5_mood_same', 'depression.p5.mood_same', { next: 'p5_review_record' }),
    askChoice('p5_obstacle', 'depression.p5.ask_obstacle', [
      { value: 'energy', key: 'depression.p5.obstacle_energy', next: 'p5_tip_smaller' },
      { value: 'too_big', key: 'depression.p5.obstacle_too_big', next: 'p5_tip_smaller' },
      { value: 'forgot', key: 'depression.p5.obstacle_forgot', next: 'p5_tip_reminder' },
      { value: 'time', key: 'depression.p5.obstacle_time', next: 'p5_tip_reminder' },
      { value: 'other', key: 'depression.p5.obstacle_other', next: 'p5_tip_other' },
    ]),
    say('p5_tip_smaller', 'depression.p5.tip_smaller', { next: 'p5_review_record' }),
    say('p5_tip_reminder', 'depression.p5.tip_reminder', { next: 'p5_review_record' }),
    say('p5_tip_other', 'depression.p5.tip_other'),
    recordHomework('p5_review_record', 'depression.activity_review', (c) => {
      const done = answerOf(c.answers, 'p5_review_done');
      return {
        activity: answerText(c.answers, 'p5_review_activity'),
        done,
        ...(done === 'no'
          ? { obstacle: answerOf(c.answers, 'p5_obstacle') }
          : {
              moodBefore: answerOf(c.answers, 'p5_mood_before'),
              moodAfter: answerOf(c.answers, 'p5_mood_after'),
            }),
      };
    }),
    askChoice('p5_review_more', 'depression.p5.ask_review_more', oneMore('p5_review_activity')),
    say('p5_follow_plan', 'depression.p5.follow_plan'),
    say('p5_step_up', 'depression.p5.step_up'),
    ...planLoop('p5', 'depression.p5.ask_first_activity', 'p5_homework'),
    say('p5_homework', 'depression.p5.homework'),
    endOfPart('p5_end', 5, 'depression.p5.summary'),

    // Part 6: keep it going; the relapse plan; the last measurement.
    openPart('p6_open', 6, 'depression.p6.open'),
    askChoice('p6_look_back', 'depression.p6.ask_look_back', [
      { value: 'good', key: 'depression.p6.look_back_good', next: 'p6_good' },
      { value: 'mixed', key: 'depression.p6.look_back_mixed', next: 'p6_mixed' },
      { value: 'hard', key: 'depression.p6.look_back_hard', next: 'p6_hard' },
    ]),
    say('p6_good', 'depression.p6.good_reply', { next: 'p6_mood' }),
    say('p6_mixed', 'depression.p6.mixed_reply', { next: 'p6_mood' }),
    say('p6_hard', 'depression.p6.hard_reply'),
    askNumber('p6_mood', 'depression.p6.ask_mood', 0, 10, {
      record: 'depression.mood_rated',
      vars: (c) => ({ mood: answerNumber(c.answers, 'p1_mood') }),
    }),
    branch(
      'p6_mood_check',
      [{ when: (c) => answerNumber(c.answers, 'p6_mood') <= LOW_MOOD, next: 'p6_mood_low' }],
      {
        next: 'p6_mood_compare',
      },
    ),
    say('p6_mood_low', 'depression.mood_low'),
    branch(
      'p6_mood_compare',
      [
        {
          when: (c) => answerNumber(c.answers, 'p6_mood') > answerNumber(c.answers, 'p1_mood'),
          next: 'p6_mood_up',
        },
      ],
      {
        next: 'p6_mood_not_up',
      },
    ),
    say('p6_mood_up', 'depression.p6.mood_up', { next: 'p6_plan_intro' }),
    say('p6_mood_not_up', 'depression.p6.mood_not_up'),
    say('p6_plan_intro', 'depression.p6.plan_intro', { image: 'depression/umbrella' }),
    askText('p6_helped', 'depression.p6.ask_helped', { maxLength: PLAN_ANSWER_MAX }),
    askText('p6_signs', 'depression.p6.ask_signs', { maxLength: PLAN_ANSWER_MAX }),
    askText('p6_actions', 'depression.p6.ask_actions', { maxLength: PLAN_ANSWER_MAX }),
    askText('p6_support', 'depression.p6.ask_support', { maxLength: PLAN_ANSWER_MAX }),
    recordHomework('p6_plan_record', 'depression.relapse_plan', (c) => ({
      helped: answerText(c.answers, 'p6_helped'),
      warningSigns: answerText(c.answers, 'p6_signs'),
      actions: answerText(c.answers, 'p6_actions'),
      support: answerText(c.answers, 'p6_support'),
    })),
    say('p6_plan_saved', 'depression.p6.plan_saved'),
    say('p6_keep_going', 'depression.p6.keep_going'),
    endOfPart('p6_end', 6, 'depression.p6.summary'),
    // The goodbye follows the last measurement directly, finished or not.
    ...measurePoint('post', { lead: ['depression.post.measure_lead'] }),
    end('post_measured_next', 'depression.done'),
  ],
});
