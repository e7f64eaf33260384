import { STRESS_TEXT_LIMITS as LIMIT, STRESS_AREAS } from '../../src/domain/homework/stress.ts';
import { buildFlow } from '../kit/build.ts';
import { COURSE_REMINDER, measurePoint } from '../kit/course.ts';
import {
  answerNumber,
  answerText,
  askChoice,
  askNumber,
  askText,
  askTime,
  branch,
  choicesOf,
  end,
  endOfPart,
  openPart,
  recordHomework,
  type Step,
  say,
} from '../kit/steps.ts';

/**
 * The stress course (CLINICAL.md §5): what stress is and how it shows, a log of stressors and reactions,
 * problem solving, the balance of demands and recovery, boundaries, and a maintenance plan. Six parts,
 * one about every week, with PHQ-9 and GAD-7 before parts 1, 3 and 5 and after part 6.
 */

const choices = (prefix: string, values: readonly string[], next?: Record<string, string>) =>
  choicesOf(prefix, values, next ? { next } : {});

/**
 * One round of the stress log: a situation, where it comes from, how strong it was, and the reactions in
 * body, thoughts and action. Recorded as a `stress.stress_log` entry; "another?" goes round again.
 */
function stressLog(part: string, after: string): Step[] {
  const id = (name: string) => `${part}_log_${name}`;
  return [
    askText(id('situation'), 'stress.log.ask_situation', { maxLength: LIMIT.sentence }),
    askChoice(id('area'), 'stress.log.ask_area', choices('stress.area', STRESS_AREAS)),
    askNumber(id('intensity'), 'stress.log.ask_intensity', 0, 10),
    askText(id('body'), 'stress.log.ask_body', { maxLength: LIMIT.sentence }),
    askText(id('thought'), 'stress.log.ask_thought', { maxLength: LIMIT.sentence }),
    askText(id('action'), 'stress.log.ask_action', { maxLength: LIMIT.sentence }),
    recordHomework(id('save'), 'stress.stress_log', ({ answers }) => ({
      situation: answerText(answers, id('situation')),
      area: answerText(answers, id('area')),
      intensity: answerNumber(answers, id('intensity')),
      body: answerText(answers, id('body')),
      thought: answerText(answers, id('thought')),
      action: answerText(answers, id('action')),
    })),
    askChoice(id('more'), 'stress.log.ask_more', [
      { value: 'yes', key: 'stress.log.more_yes', next: id('situation') },
      { value: 'no', key: 'stress.log.more_no', next: after },
    ]),
  ];
}

const part1: Step[] = [
  openPart('p1_open', 1, 'stress.p1.open'),
  say('p1_alarm', 'stress.p1.alarm'),
  say('p1_long_term', 'stress.p1.long_term'),
  say('p1_balance', 'stress.p1.balance', { image: 'stress/balance-scale' }),
  askChoice('p1_weight', 'stress.p1.ask_weight', [
    { value: 'heavy', key: 'stress.p1.weight_heavy', next: 'p1_weight_heavy' },
    { value: 'bit', key: 'stress.p1.weight_bit', next: 'p1_weight_bit' },
    { value: 'balanced', key: 'stress.p1.weight_balanced', next: 'p1_weight_balanced' },
  ]),
  say('p1_weight_heavy', 'stress.p1.reply_heavy', { next: 'p1_level' }),
  say('p1_weight_bit', 'stress.p1.reply_bit', { next: 'p1_level' }),
  say('p1_weight_balanced', 'stress.p1.reply_balanced'),
  askNumber('p1_level', 'stress.p1.ask_level', 0, 10),
  branch('p1_level_check', [
    { when: ({ answers }) => answerNumber(answers, 'p1_level') >= 8, next: 'p1_level_high' },
  ]),
  say('p1_level_ok', 'stress.p1.level_ok', { next: 'p1_reactions' }),
  say('p1_level_high', 'stress.p1.level_high'),
  say('p1_reactions', 'stress.p1.reactions', { image: 'stress/body-signals' }),
  askChoice(
    'p1_signs',
    'stress.p1.ask_signs',
    choices('stress.p1.signs', ['body', 'thoughts', 'feelings', 'behaviour'], {
      body: 'p1_signs_body',
      thoughts: 'p1_signs_thoughts',
      feelings: 'p1_signs_feelings',
      behaviour: 'p1_signs_behaviour',
    }),
    { record: 'stress.first_signs_chosen' },
  ),
  say('p1_signs_body', 'stress.p1.reply_body', { next: 'p1_log_intro' }),
  say('p1_signs_thoughts', 'stress.p1.reply_thoughts', { next: 'p1_log_intro' }),
  say('p1_signs_feelings', 'stress.p1.reply_feelings', { next: 'p1_log_intro' }),
  say('p1_signs_behaviour', 'stress.p1.reply_behaviour'),
  say('p1_log_intro', 'stress.p1.log_intro', { image: 'stress/notebook' }),
  say('p1_log_example', 'stress.p1.log_example'),
  ...stressLog('p1', 'p1_log_reflect'),
  say('p1_log_reflect', 'stress.p1.log_reflect'),
  say('p1_summary', 'stress.p1.summary'),
  say('p1_practice', 'stress.p1.practice'),
  endOfPart('p1_end', 1, 'stress.p1.end'),
];

const part2: Step[] = [
  openPart('p2_open', 2, 'stress.p2.open'),
  askChoice('p2_logged', 'stress.p2.ask_logged', [
    { value: 'yes', key: 'stress.p2.logged_yes', next: 'p2_logged_some' },
    { value: 'some', key: 'stress.p2.logged_some', next: 'p2_logged_some' },
    { value: 'no', key: 'stress.p2.logged_no', next: 'p2_logged_none' },
  ]),
  say('p2_logged_some', 'stress.p2.reply_logged', { next: 'p2_log_situation' }),
  say('p2_logged_none', 'stress.p2.reply_not_logged'),
  ...stressLog('p2', 'p2_pattern_intro'),
  say('p2_pattern_intro', 'stress.p2.pattern_intro'),
  askChoice('p2_main', 'stress.p2.ask_main', choices('stress.area', STRESS_AREAS), {
    record: 'stress.main_stressor_chosen',
  }),
  say('p2_control', 'stress.p2.control', { image: 'stress/circle-of-control' }),
  askChoice('p2_influence', 'stress.p2.ask_influence', [
    { value: 'yes', key: 'stress.p2.influence_yes', next: 'p2_influence_yes' },
    { value: 'partly', key: 'stress.p2.influence_partly', next: 'p2_influence_partly' },
    { value: 'no', key: 'stress.p2.influence_no', next: 'p2_influence_no' },
  ]),
  say('p2_influence_yes', 'stress.p2.reply_influence_yes', { next: 'p2_warning_intro' }),
  say('p2_influence_partly', 'stress.p2.reply_influence_partly', { next: 'p2_warning_intro' }),
  say('p2_influence_no', 'stress.p2.reply_influence_no'),
  say('p2_warning_intro', 'stress.p2.warning_intro'),
  askText('p2_warning', 'stress.p2.ask_warning', { maxLength: LIMIT.sign }),
  say('p2_warning_thanks', 'stress.p2.warning_thanks'),
  say('p2_summary', 'stress.p2.summary'),
  say('p2_practice', 'stress.p2.practice'),
  endOfPart('p2_end', 2, 'stress.p2.end'),
];

const part3: Step[] = [
  openPart('p3_open', 3, 'stress.p3.open'),
  ...measurePoint('p3', { lead: ['stress.p3.measures'], thanks: 'stress.p3.measures_done' }),
  say('p3_intro', 'stress.p3.intro', { image: 'stress/stepping-stones' }),
  say('p3_define', 'stress.p3.define'),
  askText('p3_problem', 'stress.p3.ask_problem', { maxLength: LIMIT.sentence }),
  say('p3_brainstorm', 'stress.p3.brainstorm'),
  askText('p3_idea1', 'stress.p3.ask_idea1', { maxLength: LIMIT.idea }),
  askText('p3_idea2', 'stress.p3.ask_idea2', { maxLength: LIMIT.idea }),
  askText('p3_idea3', 'stress.p3.ask_idea3', { maxLength: LIMIT.idea }),
  say('p3_weigh', 'stress.p3.weigh'),
  askChoice('p3_choose', 'stress.p3.ask_choose', choices('stress.p3.idea', ['1', '2', '3']), {
    vars: ({ answers }) => ({
      idea1: answerText(answers, 'p3_idea1'),
      idea2: answerText(answers, 'p3_idea2'),
      idea3: answerText(answers, 'p3_idea3'),
    }),
  }),
  askText('p3_step', 'stress.p3.ask_step', { maxLength: LIMIT.sentence }),
  askChoice('p3_when', 'stress.p3.ask_when', choices('stress.p3.when', ['today', 'tomorrow', 'this_week'])),
  askTime('p3_time', 'stress.p3.ask_time'),
  recordHomework('p3_save', 'stress.problem_solving', ({ answers }) => ({
    problem: answerText(answers, 'p3_problem'),
    ideas: [
      answerText(answers, 'p3_idea1'),
      answerText(answers, 'p3_idea2'),
      answerText(answers, 'p3_idea3'),
    ],
    chosen: answerNumber(answers, 'p3_choose'),
    first_step: answerText(answers, 'p3_step'),
    when: answerText(answers, 'p3_when'),
    time: answerText(answers, 'p3_time'),
  })),
  say('p3_saved', 'stress.p3.saved', {
    vars: ({ answers }) => ({ step: answerText(answers, 'p3_step'), time: answerText(answers, 'p3_time') }),
  }),
  say('p3_obstacles', 'stress.p3.obstacles'),
  say('p3_summary', 'stress.p3.summary'),
  say('p3_practice', 'stress.p3.practice'),
  endOfPart('p3_end', 3, 'stress.p3.end'),
];

const part4: Step[] = [
  openPart('p4_open', 4, 'stress.p4.open'),
  askChoice(
    'p4_review',
    'stress.p4.ask_review',
    [
      { value: 'yes', key: 'stress.p4.review_yes', next: 'p4_review_yes' },
      { value: 'partly', key: 'stress.p4.review_partly', next: 'p4_review_partly' },
      { value: 'no', key: 'stress.p4.review_no', next: 'p4_review_no' },
    ],
    { vars: ({ answers }) => ({ step: answerText(answers, 'p3_step') }) },
  ),
  say('p4_review_yes', 'stress.p4.reply_review_yes', { next: 'p4_stress_now' }),
  say('p4_review_partly', 'stress.p4.reply_review_partly', { next: 'p4_stress_now' }),
  say('p4_review_no', 'stress.p4.reply_review_no'),
  askNumber('p4_stress_now', 'stress.p4.ask_stress_now', 0, 10),
  recordHomework('p4_review_save', 'stress.problem_review', ({ answers }) => ({
    first_step: answerText(answers, 'p3_step'),
    done: answerText(answers, 'p4_review'),
    stress_now: answerNumber(answers, 'p4_stress_now'),
  })),
  say('p4_recovery', 'stress.p4.recovery'),
  say('p4_battery', 'stress.p4.battery', { image: 'stress/battery' }),
  askText('p4_drains', 'stress.p4.ask_drains', { maxLength: LIMIT.sentence }),
  askText('p4_fillers', 'stress.p4.ask_fillers', { maxLength: LIMIT.sentence }),
  askNumber('p4_balance', 'stress.p4.ask_balance', 0, 10),
  branch('p4_balance_check', [
    { when: ({ answers }) => answerNumber(answers, 'p4_balance') <= 4, next: 'p4_balance_low' },
  ]),
  say('p4_balance_ok', 'stress.p4.balance_ok', { next: 'p4_plan_intro' }),
  say('p4_balance_low', 'stress.p4.balance_low'),
  say('p4_plan_intro', 'stress.p4.plan_intro'),
  askText('p4_activity', 'stress.p4.ask_activity', { maxLength: LIMIT.activity }),
  askNumber('p4_minutes', 'stress.p4.ask_minutes', 5, 240),
  askNumber('p4_times', 'stress.p4.ask_times', 1, 7),
  askTime('p4_time', 'stress.p4.ask_time'),
  recordHomework('p4_plan_save', 'stress.recovery_plan', ({ answers }) => ({
    drains: answerText(answers, 'p4_drains'),
    fillers: answerText(answers, 'p4_fillers'),
    balance: answerNumber(answers, 'p4_balance'),
    activity: answerText(answers, 'p4_activity'),
    minutes: answerNumber(answers, 'p4_minutes'),
    times_per_week: answerNumber(answers, 'p4_times'),
    time: answerText(answers, 'p4_time'),
  })),
  say('p4_plan_saved', 'stress.p4.plan_saved', {
    vars: ({ answers }) => ({
      activity: answerText(answers, 'p4_activity'),
      minutes: answerNumber(answers, 'p4_minutes'),
      times: answerNumber(answers, 'p4_times'),
      time: answerText(answers, 'p4_time'),
    }),
  }),
  say('p4_breaks', 'stress.p4.breaks'),
  askChoice('p4_breathe', 'stress.p4.ask_breathe', [
    { value: 'now', key: 'stress.p4.breathe_now', next: 'p4_breathe_steps' },
    { value: 'later', key: 'stress.p4.breathe_later', next: 'p4_breathe_skip' },
  ]),
  say('p4_breathe_steps', 'stress.p4.breathe_steps', { image: 'stress/breathing' }),
  askChoice('p4_breathe_done', 'stress.p4.ask_breathe_done', [
    { value: 'calmer', key: 'stress.p4.breathe_calmer', next: 'p4_breathe_calmer' },
    { value: 'same', key: 'stress.p4.breathe_same', next: 'p4_breathe_same' },
  ]),
  say('p4_breathe_calmer', 'stress.p4.reply_breathe_calmer', { next: 'p4_summary' }),
  say('p4_breathe_same', 'stress.p4.reply_breathe_same', { next: 'p4_summary' }),
  say('p4_breathe_skip', 'stress.p4.reply_breathe_skip'),
  say('p4_summary', 'stress.p4.summary'),
  say('p4_practice', 'stress.p4.practice'),
  endOfPart('p4_end', 4, 'stress.p4.end'),
];

const part5: Step[] = [
  openPart('p5_open', 5, 'stress.p5.open'),
  ...measurePoint('p5', { lead: ['stress.p5.measures'], thanks: 'stress.p5.measures_done' }),
  askNumber('p5_review', 'stress.p5.ask_review', 0, 14, {
    vars: ({ answers }) => ({ activity: answerText(answers, 'p4_activity') }),
  }),
  branch('p5_review_check', [
    { when: ({ answers }) => answerNumber(answers, 'p5_review') === 0, next: 'p5_review_none' },
  ]),
  say('p5_review_some', 'stress.p5.review_some', { next: 'p5_intro' }),
  say('p5_review_none', 'stress.p5.review_none'),
  say('p5_intro', 'stress.p5.intro', { image: 'stress/garden-gate' }),
  say('p5_yes_no', 'stress.p5.yes_no'),
  askChoice('p5_where', 'stress.p5.ask_where', [
    { value: 'work', key: 'stress.p5.where_work', next: 'p5_where_others' },
    { value: 'family', key: 'stress.p5.where_family', next: 'p5_where_others' },
    { value: 'friends', key: 'stress.p5.where_friends', next: 'p5_where_others' },
    { value: 'self', key: 'stress.p5.where_self', next: 'p5_where_self' },
  ]),
  say('p5_where_others', 'stress.p5.reply_others', { next: 'p5_exercise' }),
  say('p5_where_self', 'stress.p5.reply_self'),
  say('p5_exercise', 'stress.p5.exercise'),
  askText('p5_situation', 'stress.p5.ask_situation', { maxLength: LIMIT.sentence }),
  askChoice(
    'p5_usual',
    'stress.p5.ask_usual',
    choices('stress.p5.usual', ['say_yes', 'do_all', 'avoid', 'other']),
  ),
  askText('p5_script', 'stress.p5.ask_script', { maxLength: LIMIT.sentence }),
  askNumber('p5_difficulty', 'stress.p5.ask_difficulty', 0, 10),
  branch('p5_difficulty_check', [
    { when: ({ answers }) => answerNumber(answers, 'p5_difficulty') >= 7, next: 'p5_difficulty_high' },
  ]),
  say('p5_difficulty_ok', 'stress.p5.difficulty_ok', { next: 'p5_good_enough' }),
  say('p5_difficulty_high', 'stress.p5.difficulty_high'),
  askText('p5_good_enough', 'stress.p5.ask_good_enough', { maxLength: LIMIT.sentence }),
  recordHomework('p5_save', 'stress.boundary_plan', ({ answers }) => ({
    situation: answerText(answers, 'p5_situation'),
    usual: answerText(answers, 'p5_usual'),
    script: answerText(answers, 'p5_script'),
    difficulty: answerNumber(answers, 'p5_difficulty'),
    good_enough: answerText(answers, 'p5_good_enough'),
  })),
  say('p5_saved', 'stress.p5.saved', {
    vars: ({ answers }) => ({ script: answerText(answers, 'p5_script') }),
  }),
  say('p5_guilt', 'stress.p5.guilt'),
  say('p5_summary', 'stress.p5.summary'),
  say('p5_practice', 'stress.p5.practice'),
  endOfPart('p5_end', 5, 'stress.p5.end'),
];

const part6: Step[] = [
  openPart('p6_open', 6, 'stress.p6.open'),
  askChoice('p6_review', 'stress.p6.ask_review', [
    { value: 'yes', key: 'stress.p6.review_yes', next: 'p6_review_yes' },
    { value: 'partly', key: 'stress.p6.review_partly', next: 'p6_review_partly' },
    { value: 'no', key: 'stress.p6.review_no', next: 'p6_review_no' },
  ]),
  say('p6_review_yes', 'stress.p6.reply_review_yes', { next: 'p6_recap' }),
  say('p6_review_partly', 'stress.p6.reply_review_partly', { next: 'p6_recap' }),
  say('p6_review_no', 'stress.p6.reply_review_no'),
  say('p6_recap', 'stress.p6.recap', { image: 'stress/path-ahead' }),
  askNumber('p6_level', 'stress.p6.ask_level', 0, 10),
  branch('p6_level_check', [
    {
      when: ({ answers }) => answerNumber(answers, 'p6_level') < answerNumber(answers, 'p1_level'),
      next: 'p6_level_lower',
    },
  ]),
  say('p6_level_same', 'stress.p6.level_same', {
    vars: ({ answers }) => ({
      before: answerNumber(answers, 'p1_level'),
      now: answerNumber(answers, 'p6_level'),
    }),
    next: 'p6_helpful',
  }),
  say('p6_level_lower', 'stress.p6.level_lower', {
    vars: ({ answers }) => ({
      before: answerNumber(answers, 'p1_level'),
      now: answerNumber(answers, 'p6_level'),
    }),
  }),
  askChoice(
    'p6_helpful',
    'stress.p6.ask_helpful',
    choices('stress.p6.helpful', ['log', 'problem_solving', 'recovery', 'boundaries', 'unsure']),
  ),
  say('p6_plan_intro', 'stress.p6.plan_intro'),
  askText('p6_signs', 'stress.p6.ask_signs', {
    maxLength: LIMIT.plan,
    vars: ({ answers }) => ({ sign: answerText(answers, 'p2_warning') }),
  }),
  askText('p6_actions', 'stress.p6.ask_actions', { maxLength: LIMIT.plan }),
  askText('p6_keep', 'stress.p6.ask_keep', { maxLength: LIMIT.plan }),
  askText('p6_support', 'stress.p6.ask_support', { maxLength: LIMIT.plan }),
  recordHomework('p6_plan_save', 'stress.maintenance_plan', ({ answers }) => ({
    warning_signs: answerText(answers, 'p6_signs'),
    actions: answerText(answers, 'p6_actions'),
    keep_doing: answerText(answers, 'p6_keep'),
    support: answerText(answers, 'p6_support'),
    most_helpful: answerText(answers, 'p6_helpful'),
    stress_level_part1: answerNumber(answers, 'p1_level'),
    stress_level_part6: answerNumber(answers, 'p6_level'),
  })),
  say('p6_plan_saved', 'stress.p6.plan_saved'),
  say('p6_setbacks', 'stress.p6.setbacks'),
  say('p6_when_help', 'stress.p6.when_help'),
  say('p6_summary', 'stress.p6.summary'),
  endOfPart('p6_end', 6, 'stress.p6.end'),
  ...measurePoint('end', { lead: ['stress.end.measures'] }),
];

export const stressCourse = buildFlow({
  id: 'stress',
  version: 1,
  reminder: COURSE_REMINDER,
  steps: [
    say('welcome', 'stress.welcome', { image: 'stress/welcome' }),
    say('before_start', 'stress.before_start'),
    ...measurePoint('start', { lead: ['questionnaire.intro'], thanks: 'stress.start_thanks' }),
    ...part1,
    ...part2,
    ...part3,
    ...part4,
    ...part5,
    ...part6,
    end('done', 'stress.done'),
  ],
});
